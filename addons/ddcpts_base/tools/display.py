"""How logged provider traffic is shown to a clerk."""
import json


def pretty_json(text):
    """``text`` indented when it is JSON (callback and API bodies), unchanged otherwise."""
    if not text:
        return text or ''
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text
