from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .models import PlainSubmission


@csrf_exempt
def plain_submit(request):
    """The floor: one INSERT of the POST, no form, no template."""
    if request.method != "POST":
        return HttpResponse("POST only", status=405)
    PlainSubmission.objects.create(data={k: v for k, v in request.POST.items()})
    return HttpResponse("OK", content_type="text/plain")
