"""What a suggestion is made of, as the services take it from a form, a spreadsheet row or the demo."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass
class SuggestionInput:
    content: str
    category_id: int | None
    community_id: int | None
    name: str = ""
    phone: str = ""
    received_on: date | None = None
    spot: str = ""  # 点位 (optional)
