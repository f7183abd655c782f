"""The follow-up ledger 督办台账 (三(三) “发现问题及时反馈整改”): from a reminder letter to a closed item.

Every red warning and every fact of a reminder letter becomes an item with a stable id, its unit and
project, the problem, the letters it went out in, the reply deadline and a status (待反馈 / 整改中 /
已销号 / 逾期未反馈); each quarterly review re-checks every open item against its data; the units
answer on the reply form sent with the letter, the analyst closes an item with a written reason.

Nothing is hidden between runs. Inputs are read-only and outputs disposable (reports/ can be deleted
and rebuilt by one command), so the ledger is derived, never stored: the items of the year's earlier
reviews are recomputed from the same data folder as of each review's evaluation date
(jygproj.evaluation: the scheduling ledger as it stood that day), item ids come from what the item is
about and the review that first raised it (jygproj.followups.items), and what people wrote — the
units' reply forms and the analyst's closure record — are workbooks in the data folder's 督办反馈/
subfolder (jygproj.catalogue), read by jygproj.io.followup_books.

Modules: settings (data/reference/followups.yaml), items (what a review raises, ids), ledger (the
fold and the statuses, pure), form (the reply form and the closure record), wiring (into the
quarterly review: earlier reviews, letters' notes, by-unit counts).
"""

from jygproj.followups.ledger import Ledger, Point, build
from jygproj.followups.settings import Settings, load_settings

__all__ = ["Ledger", "Point", "Settings", "build", "load_settings"]
