"""Share: links in every useful form, and sharing changes that never widen access unconfirmed.

    from colab_panel.share import share_links, sharing, plan_share, share, revoke_last
    share_links(file_id)                       # {"view": ..., "download": ..., "gdown": ...}
    sharing(file_id).describe()                # owner, link sharing, people
    share(file_id, anyone="reader")            # ConfirmationRequired: says what would change
    share(file_id, anyone="reader", confirm=True); revoke_last()
    share_batch(folder_table(folder_id), anyone="reader", confirm=True)   # all or nothing

Backend layer: no widgets, standard library only at import (Drive is reached lazily).
"""

from __future__ import annotations

from colab_panel.share.batch import (BatchReport, BatchShareFailed, TableRow, export_table,
                                     folder_table, plan_batch, share_batch, table_csv,
                                     table_markdown)
from colab_panel.share.links import LINK_LABELS, download_note, links_for_item, share_links
from colab_panel.share.model import Change, Grant, SharePlan, ShareRecord, SharingState
from colab_panel.share.qr import qr_svg
from colab_panel.share.sharing import (KEEP, ShareHistory, apply_plan, plan_share, revoke_last,
                                       share, sharing)

__all__ = [
    "KEEP", "LINK_LABELS", "BatchReport", "BatchShareFailed", "Change", "Grant", "ShareHistory",
    "SharePlan", "ShareRecord", "SharingState", "TableRow", "apply_plan", "download_note",
    "export_table", "folder_table", "links_for_item", "plan_batch", "plan_share", "qr_svg",
    "revoke_last", "share", "share_batch", "share_links", "sharing", "table_csv", "table_markdown",
]
