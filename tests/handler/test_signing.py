from __future__ import annotations

from urllib.parse import parse_qsl

from handler.signing import canonical, sign, signed_query, verify

KEY, OLD, OTHER = "k" * 32, "o" * 32, "x" * 32
PATH = "/og/hello.png"
PARAMS = [("template", "blog"), ("title", 'Hello & welcome / 100% "quoted"')]


def test_a_signed_query_verifies() -> None:
    query = parse_qsl(signed_query(KEY, PATH, PARAMS))
    assert verify([KEY], PATH, query, dict(query)["sig"])


def test_parameter_order_does_not_matter() -> None:
    assert sign(KEY, PATH, PARAMS) == sign(KEY, PATH, list(reversed(PARAMS)))
    assert canonical(PATH, [*PARAMS, ("sig", "ignored")]) == canonical(PATH, PARAMS)


def test_tampering_with_path_or_query_fails() -> None:
    signature = sign(KEY, PATH, PARAMS)
    assert not verify([KEY], "/og/other.png", PARAMS, signature)
    assert not verify([KEY], PATH, [("template", "blog"), ("title", "Hello")], signature)
    assert not verify([KEY], PATH, [*PARAMS, ("extra", "1")], signature)
    assert not verify([OTHER], PATH, PARAMS, signature)


def test_rotation_accepts_every_configured_key() -> None:
    assert verify([KEY, OLD], PATH, PARAMS, sign(OLD, PATH, PARAMS))
    assert verify([KEY, OLD], PATH, PARAMS, sign(KEY, PATH, PARAMS))


def test_signature_is_url_safe() -> None:
    signature = sign(KEY, PATH, PARAMS)
    assert "=" not in signature
    assert "+" not in signature
    assert "/" not in signature
