"""Stub of `google.colab.auth`: `authenticate_user` records the call and marks the user signed in."""

import os

from google.colab._log import record


def authenticate_user(clear_output=True, project_id=None):
    record("auth.authenticate_user", project_id=project_id)
    os.environ["COLAB_STUB_AUTHENTICATED"] = "1"
