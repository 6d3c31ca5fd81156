"""What editors and moderators may do in the admin: ``groups`` (a group and collection per
conference, ``manage.py setup_groups``), ``admin_restrictions`` (what the admin lists to whom)
and ``uploads`` (image upload checks)."""
