"""Run the automatic first sort again, e.g. after changing the classifier's lexicon."""

from django.core.management.base import BaseCommand

from wagtail_satisfaction.models import Comment
from wagtail_satisfaction.moderation.classifiers import ClassifierContext, get_classifier


class Command(BaseCommand):
    help = ("Score comments again with the configured classifier (pending ones by default). "
            "Only the score, suggestion and matched words change; states are left to people.")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help="re-score every comment, not only pending ones")
        parser.add_argument("--campaign", type=int, help="only this campaign (id)")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options):
        classifier = get_classifier()
        comments = Comment.objects.all() if options["all"] else Comment.objects.pending()
        if options["campaign"]:
            comments = comments.filter(campaign_id=options["campaign"])
        contexts = {}
        batch, done = [], 0
        for comment in comments.select_related("campaign").order_by("pk").iterator(
                chunk_size=options["batch_size"]):
            if comment.campaign_id not in contexts:
                contexts[comment.campaign_id] = ClassifierContext.for_campaign(comment.campaign)
            result = classifier.classify(comment.text, contexts[comment.campaign_id])
            comment.score = result.score
            comment.suggested_state = result.suggested_state
            comment.matched_terms = result.matched_terms
            batch.append(comment)
            if len(batch) >= options["batch_size"]:
                done += self._save(batch)
                batch = []
        done += self._save(batch)
        self.stdout.write(self.style.SUCCESS(f"{done} comments scored."))

    def _save(self, batch):
        Comment.objects.bulk_update(batch, ["score", "suggested_state", "matched_terms"])
        return len(batch)
