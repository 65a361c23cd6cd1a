"""``figure|chart_json:"element-id"``: a plotly figure as a JSON script element, safe for
every string in it.

``json_script`` already escapes the HTML that would end the script element. Plotly then
renders labels as its own small HTML (``<b>``, ``<br>``, ``<a href>``, ``<span style>``), so
an area or indicator name from a file could add a link or styling to a chart. Every ``<``
that does not open one of the few tags our charts use becomes ``&lt;``, which plotly shows
as a literal ``<``."""

import re

from django import template
from django.utils.html import json_script

register = template.Library()

OUR_TAGS = re.compile(r"<(?!/?(?:b|i|br|extra)>)", re.IGNORECASE)


def plain_labels(item):
    if isinstance(item, str):
        return OUR_TAGS.sub("&lt;", item)
    if isinstance(item, dict):
        return {key: plain_labels(value) for key, value in item.items()}
    if isinstance(item, list | tuple):
        return [plain_labels(value) for value in item]
    return item


@register.filter
def chart_json(figure, element_id):
    return json_script(plain_labels(figure), element_id)
