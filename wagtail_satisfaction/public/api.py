"""The open-data API (version 1): read-only, aggregated figures of published campaigns.

Django REST framework gives content negotiation (JSON, CSV by ``?format=csv`` or ``Accept``),
JSON errors and, with drf-spectacular, the OpenAPI schema. Reads are anonymous: no session,
no CSRF; every answer carries ``Cache-Control: public, max-age`` and
``Access-Control-Allow-Origin: *``.
"""

import csv
import io

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..conf import get_setting
from .opendata import TABLES, open_data, published_campaigns


class CSVRenderer(renderers.BaseRenderer):
    """The ``rows`` of a payload as CSV, UTF-8 with a byte-order mark so Excel keeps Vietnamese."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data.get("rows") if isinstance(data, dict) else None
        if rows is None:  # an error or the campaign list: its items, or the error's fields
            rows = data.get("results") if isinstance(data, dict) and "results" in data else [
                {"field": key, "error": " ".join(map(str, value if isinstance(value, list)
                                                     else [value]))}
                for key, value in (data or {}).items()]
        out = io.StringIO()
        if rows:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
        return ("\ufeff" + out.getvalue()).encode("utf-8")


class OpenDataView(APIView):
    """Shared behaviour: anonymous, read-only, cacheable, readable from any origin."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]
    http_method_names = ["get", "head", "options"]
    schema = AutoSchema()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        if response.status_code == 200 and request.method in ("GET", "HEAD"):
            response["Cache-Control"] = f"public, max-age={get_setting('OPEN_DATA_MAX_AGE')}"
            licence = get_setting("OPEN_DATA_LICENCE")
            response["Link"] = f'<{licence["url"]}>; rel="license"'
        return response


class CampaignList(OpenDataView):
    """The campaigns whose results are published, with the links to their tables."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT},
                   summary="Published campaigns and their open-data tables")
    def get(self, request):
        licence = get_setting("OPEN_DATA_LICENCE")
        results = []
        for campaign in published_campaigns():
            item = {"slug": campaign.slug, "title": campaign.title, "unit": campaign.unit.name,
                    "opens_on": campaign.opens_on, "closes_on": campaign.closes_on}
            for table in TABLES:
                item[table] = request.build_absolute_uri(f"{campaign.slug}/{table}/")
            results.append(item)
        return Response({"licence": dict(licence), "results": results})


class CampaignTable(OpenDataView):
    """One table of a published campaign's aggregated figures (JSON or CSV)."""

    table = None

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, description="Code of a unit: its figures with its "
                             "sub-units (default: the campaign's unit)."),
            OpenApiParameter("format", str, enum=["json", "csv"],
                             description="json (default) or csv (the rows only)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
        summary="Aggregated figures of a published campaign",
    )
    def get(self, request, slug):
        from ..models import Unit

        campaign = get_object_or_404(published_campaigns(), slug=slug)
        unit = None
        code = request.query_params.get("unit")
        if code:
            unit = Unit.objects.filter(code=code).first()
            if unit is None:
                raise ValidationError({"unit": [_("There is no unit with this code.")]})
        payload = open_data(campaign, self.table, unit)
        response = Response(payload)
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = (
                f'attachment; filename="{campaign.slug}-{self.table}.csv"')
        return response
