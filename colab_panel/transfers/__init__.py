"""Files between the user's computer and the runtime: resumable uploads, streamed downloads.

Bytes travel over HTTP to the kernel's loopback endpoint (through Colab's port proxy), never
through the widget channel, and a thread serves them, so a running cell does not stop them.
`colab_panel.download_to_browser` is the plain call (in widgets/download_link.py, since it
displays a script).
"""
