"""The stand-in's kernel: ipykernel, with every outgoing message tagged by the thread that sent it.

Colab drops widget messages a kernel sends from a background thread
(googlecolab/colabtools#3373); how it tells them apart is not public. Here the kernel says it:
each message's metadata carries ``colab_standin_main_thread`` (True when `Session.send` ran on
the interpreter's main thread), and the page drops `comm_msg` whose flag is False.

    python -m colab_standin.kernel -f {connection_file}
"""

from __future__ import annotations

import threading

THREAD_KEY = "colab_standin_main_thread"


def tag_messages_with_thread() -> None:
    """Wrap `jupyter_client.session.Session.send` (ipykernel sends every message through it, on
    the thread that produces the message; the IOPub thread only forwards the bytes)."""
    from jupyter_client.session import Session

    original = Session.send
    if getattr(original, "_colab_standin", False):
        return

    def send(self, stream, msg_or_type, content=None, parent=None, ident=None, buffers=None,
             track=False, header=None, metadata=None):
        on_main = threading.current_thread() is threading.main_thread()
        if isinstance(msg_or_type, dict):
            msg_or_type.setdefault("metadata", {})[THREAD_KEY] = on_main
        else:
            metadata = {**(metadata or {}), THREAD_KEY: on_main}
        return original(self, stream, msg_or_type, content, parent, ident, buffers, track,
                        header, metadata)

    send._colab_standin = True
    Session.send = send


def main() -> None:
    tag_messages_with_thread()
    # Colab's kernel class lives in google.colab (google.colab._kernel), so `google.colab` and
    # `google.colab.output` are imported before the first cell; anywidget, for one, checks that.
    import google.colab  # noqa: F401
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
