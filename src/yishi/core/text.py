"""What people type, in the plain form the app compares and stores."""
from __future__ import annotations

import unicodedata


def typed(text: object) -> str:
    """Input as a Chinese input method may type it -> plain text: full-width digits, letters,
    punctuation and the ideographic space become their ASCII forms (NFKC), ends trimmed.
    Chinese characters and the 顿号 (、) are left as they are."""
    return unicodedata.normalize("NFKC", str(text or "")).strip()
