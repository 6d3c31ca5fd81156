"""``{% create_session_token %}``: the token of the page create form (pages/editors/autosave.py)."""

from django import template

from pages.editors.autosave import form_token

register = template.Library()


@register.simple_tag(takes_context=True)
def create_session_token(context) -> str:
    return form_token(context["request"])
