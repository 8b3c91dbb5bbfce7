"""Forms of the frontend's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from annotations.models import DisputeKind, DisputeStatus


class LoginForm(AuthenticationForm):
    """Django's login form with the browser hints a login page should carry."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class DisputeFilterForm(forms.Form):
    """The dispute queue's filters (blank: any)."""

    status = forms.ChoiceField(choices=[("", "Any status"), *DisputeStatus.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *DisputeKind.choices], required=False)
    document = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
