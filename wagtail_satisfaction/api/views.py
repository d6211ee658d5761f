"""The dossier API's endpoints, version 1, under ``api/v1/dossiers/``.

* ``POST dossiers/``: create or update a dossier by its code (idempotent: the same body
  again changes nothing); 201 when created, 200 otherwise.
* ``GET dossiers/<code>/``: the dossier and its rating status.
* ``POST dossiers/<code>/returned/``: the result was returned (today, or ``returned_on``).

A dossier that becomes ratable queues its rating invitation (sent once, by the worker).
Every call, refused or not, is recorded as an :class:`~..models.ApiCall`.
"""

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, renderers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from ..channels import dossiers as rules
from ..channels import invitations
from ..guards import client_address
from ..models import ApiCall, ApiClient, Dossier
from ..models.dossiers import normalise_dossier_code
from . import schema  # noqa: F401  (describes the token in the OpenAPI schema)
from .auth import ClientRateThrottle, IsApiClient, TokenAuthentication
from .serializers import (
    DossierSerializer,
    DossierStatusSerializer,
    ReturnedSerializer,
    dossier_status,
)

ERRORS = OpenApiResponse(description="Refused: a JSON object naming each field and why.")


def translated(error):
    """DRF's own messages, in the app's words (DRF has no Vietnamese for most of them)."""
    if isinstance(error, exceptions.NotAuthenticated):
        return _("Send your API token in the header: Authorization: Bearer <token>.")
    if isinstance(error, exceptions.AuthenticationFailed):
        return str(error.detail)
    if isinstance(error, exceptions.Throttled):
        return _("Too many calls for this API client. Please wait %(seconds)s seconds and "
                 "try again.") % {"seconds": error.wait or 0}
    if isinstance(error, exceptions.ParseError):
        return _("The body is not valid JSON.")
    if isinstance(error, exceptions.UnsupportedMediaType):
        return _("Send the body as JSON (Content-Type: application/json).")
    if isinstance(error, exceptions.MethodNotAllowed):
        return _("This address does not take this method.")
    if isinstance(error, exceptions.NotFound):
        return _("No dossier with this code is reachable by this API client.")
    if isinstance(error, exceptions.PermissionDenied):
        return _("This API client may not do this.")
    return None


def handle_error(error, context):
    message = translated(error)
    if message is not None:
        error.detail = exceptions.ErrorDetail(message, getattr(error, "default_code", None))
    return exception_handler(error, context)


class DossierApiView(APIView):
    """Shared: token, scope, rate limit, language, JSON only, and the audit of each call."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsApiClient]
    throttle_classes = [ClientRateThrottle]
    renderer_classes = [renderers.JSONRenderer]
    parser_classes = [JSONParser]
    schema = AutoSchema()
    outcome = ""

    def get_exception_handler(self):
        return handle_error

    def dispatch(self, request, *args, **kwargs):
        language = translation.get_language_from_request(request)
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
            response["Content-Language"] = translation.get_language()
            if hasattr(response, "render"):
                response.render()  # the messages in the caller's language
            return response

    @property
    def client(self):
        return self.request.auth

    def dossiers(self):
        return Dossier.objects.select_related("unit", "procedure", "officer").filter(
            unit__in=self.client.covered_units())

    def get_dossier(self, code):
        dossier = self.dossiers().filter(code=normalise_dossier_code(code)).first()
        if dossier is None:
            raise exceptions.NotFound()
        return dossier

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        self.audit(request, response, kwargs)
        return response

    def audit(self, request, response, kwargs):
        client = request.auth if isinstance(getattr(request, "auth", None), ApiClient) else None
        code = kwargs.get("code") or ""
        if not code and isinstance(getattr(request, "_full_data", None), dict):
            code = str(request._full_data.get("code") or "")
        data = response.data if isinstance(getattr(response, "data", None), dict) else {}
        status_code = response.status_code
        if status_code < 400:
            outcome = self.outcome or "ok"
        else:
            outcome = {400: "invalid", 401: "unauthenticated", 403: "forbidden",
                       404: "not_found", 429: "rate_limited"}.get(status_code, "error")
        ApiCall.objects.create(
            client=client, token_prefix=getattr(request._request, "api_token_prefix", ""),
            method=request.method, path=request.path[:255],
            dossier_code=normalise_dossier_code(code)[:64], status_code=status_code,
            outcome=outcome,
            error_fields=sorted(data) if status_code == 400 else [],
            client_address=client_address(request._request)[:64])


def save_dossier(serializer):
    """Store a checked dossier; two racing creations of one code end as one dossier."""
    dossier = serializer.validated_data["dossier"]
    created = dossier.pk is None
    try:
        with transaction.atomic():
            dossier.save()
    except IntegrityError:
        # Another call created the same code meanwhile: check again as an update.
        serializer = DossierSerializer(data=serializer.initial_data,
                                       context=serializer.context)
        serializer.is_valid(raise_exception=True)
        dossier = serializer.validated_data["dossier"]
        if dossier.pk is None:
            raise
        dossier.save()
        created = False
    return dossier, created


def invite_if_ratable(dossier):
    """Queue the invitation when the dossier can be rated now and was never invited."""
    if rules.is_ratable(dossier) and dossier.invited_at is None and not dossier.opted_out:
        invitations.enqueue_on_return(dossier)


class DossierCollection(DossierApiView):
    @extend_schema(
        request=DossierSerializer,
        responses={200: DossierStatusSerializer, 201: DossierStatusSerializer,
                   400: ERRORS, 401: ERRORS, 429: ERRORS},
        summary="Create or update a dossier by its code (idempotent)",
        tags=["dossiers"],
    )
    def post(self, request):
        serializer = DossierSerializer(data=request.data, context={"client": self.client})
        serializer.is_valid(raise_exception=True)
        dossier = serializer.validated_data["dossier"]
        changed = dossier.pk is None or _differs(dossier)
        if changed:
            dossier, created = save_dossier(serializer)
            invite_if_ratable(dossier)
        else:
            created = False
        self.outcome = "created" if created else ("updated" if changed else "unchanged")
        return Response(dossier_status(dossier),
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _differs(dossier):
    stored = Dossier.objects.filter(pk=dossier.pk).values(
        "unit", "procedure", "officer", "applicant_name", "email", "phone", "received_on",
        "due_on", "returned_on").first()
    current = {"unit": dossier.unit_id, "procedure": dossier.procedure_id,
               "officer": dossier.officer_id, "applicant_name": dossier.applicant_name,
               "email": dossier.email, "phone": dossier.phone,
               "received_on": dossier.received_on, "due_on": dossier.due_on,
               "returned_on": dossier.returned_on}
    return stored != current


class DossierDetail(DossierApiView):
    @extend_schema(responses={200: DossierStatusSerializer, 401: ERRORS, 404: ERRORS},
                   summary="A dossier and its rating status", tags=["dossiers"])
    def get(self, request, code):
        self.outcome = "read"
        return Response(dossier_status(self.get_dossier(code)))


class DossierReturned(DossierApiView):
    @extend_schema(
        request=ReturnedSerializer,
        responses={200: DossierStatusSerializer, 400: ERRORS, 401: ERRORS, 404: ERRORS},
        summary="The dossier's result was returned: the rating invitation goes out once",
        tags=["dossiers"],
    )
    def post(self, request, code):
        dossier = self.get_dossier(code)
        serializer = ReturnedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        returned_on = serializer.validated_data.get("returned_on") or rules.local_today()
        if returned_on < dossier.received_on:
            raise exceptions.ValidationError({"returned_on": [_(
                "The result cannot be returned before the dossier is received.")]})
        if dossier.returned_on == returned_on:
            self.outcome = "unchanged"
        else:
            Dossier.objects.filter(pk=dossier.pk).update(returned_on=returned_on)
            dossier.returned_on = returned_on
            self.outcome = "returned"
        invite_if_ratable(dossier)
        return Response(dossier_status(dossier))
