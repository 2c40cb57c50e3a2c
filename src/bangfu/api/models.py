"""API tokens: one or more per user, stored as a hash (the token is shown once), revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} {self.label}"

    @classmethod
    def issue(cls, *, user: object, label: str = "") -> tuple[ApiToken, str]:
        token = "bf_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, key_hash=token_hash(token), label=label), token
