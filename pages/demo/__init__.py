"""The demo content loaded by ``manage.py load_demo``: speakers, pictures, videos and notes.

Everything here is plain Python data. Page bodies are lists of ``(block type, value)`` pairs
made with the small helpers of ``stream``; speakers and images are referred to by key (a speaker's
slug, an image key of ``IMAGES``, a video key of ``VIDEOS``) and resolved by the command.

The conferences, people and talks are fictional; the notes are original writing.

Modules: ``stream`` (block helpers), ``library`` (speakers, images, videos), ``images`` (the
pictures, drawn with Pillow), ``code_samples``, and one module per conference.
"""

from .fernhollow import FERNHOLLOW
from .library import IMAGES, SPEAKERS, VIDEOS, video_url
from .saltmarsh import SALTMARSH

__all__ = ["CONFERENCES", "HOME_DEFAULT_INTRO", "HOME_INTRO", "IMAGES", "SPEAKERS", "VIDEOS"]
__all__ += ["video_url"]

CONFERENCES = [FERNHOLLOW, SALTMARSH]

#: The home page intro once the demo is loaded (only replaces the intro from the migration).
HOME_DEFAULT_INTRO = "Notes from conference talks, written by the people who were in the room."
HOME_INTRO = (
    "Notes from conference talks, written by the people who were in the room: what was said, "
    "the code that was shown and what to try afterwards. Pick a conference below or search "
    "for a topic."
)
