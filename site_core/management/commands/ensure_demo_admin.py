"""Create the demo `admin` superuser once.

Its password comes from DEMO_ADMIN_PASSWORD, or is generated and printed once.
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo `admin` superuser (password: DEMO_ADMIN_PASSWORD or generated)."

    def handle(self, *args, **options):
        User = get_user_model()
        given = os.environ.get("DEMO_ADMIN_PASSWORD", "")
        user = User.objects.filter(username="admin").first()
        if user is not None:
            if given:
                user.set_password(given)
                user.save(update_fields=["password"])
                self.stdout.write("admin: password set from DEMO_ADMIN_PASSWORD.")
            else:
                self.stdout.write("admin: already exists, password unchanged.")
            return
        password = given or secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", "admin@example.org", password)
        if given:
            self.stdout.write("admin: created with the password from DEMO_ADMIN_PASSWORD.")
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"admin: created with password {password} (shown once; note it)."
                )
            )
