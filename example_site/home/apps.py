from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "example_site.home"
    label = "home"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Page, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from .templatetags.site_nav import menu_changed

        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(menu_changed, dispatch_uid=f"example_site_menu_{id(signal)}")
        for model in (Page, Site):
            post_delete.connect(menu_changed, sender=model,
                                dispatch_uid=f"example_site_menu_delete_{model.__name__}")
        post_save.connect(menu_changed, sender=Site, dispatch_uid="example_site_menu_site")
