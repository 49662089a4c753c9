"""Translate the SAM template to plain CloudFormation offline, as CloudFormation's SAM transform would at deploy time.

cfn-lint checks a SAM template against SAM's own schemas; only the translated template shows what will really be
created (the Function URL, the role, the HTTP API's routes and permissions), so cycles and settings that SAM expands
are caught by linting this output again. No AWS call is made: the managed-policy map is empty (the template names no
managed policy), and the region only picks the partition.

Runs in the SAM CLI's virtualenv (it has samtranslator and SAM's YAML loader)::

    .venv-sam/bin/python infra/translate.py template.yaml -o translated.json [--region eu-west-1]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def translate(template: Path, region: str) -> dict[str, Any]:
    from boto3.session import Session  # only in the SAM CLI's virtualenv
    from samcli.yamlhelper import yaml_parse
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    document = yaml_parse(template.read_text())
    _as_packaged(document)
    try:
        translator = Translator(None, Parser(), boto_session=Session(region_name=region))  # no call is made
        translated: dict[str, Any] = translator.translate(document, parameter_values={}, get_managed_policy_map=dict)
    except InvalidDocumentException as exc:
        problems = "\n".join(f"  {cause.message}" for cause in exc.causes)
        raise SystemExit(f"{template}: SAM cannot translate it:\n{problems}") from None
    return translated


def _as_packaged(document: dict[str, Any]) -> None:
    """Local code folders become S3 locations, as `sam package` leaves them (the transform accepts nothing else)."""
    for name, resource in document.get("Resources", {}).items():
        properties = resource.get("Properties", {})
        code = properties.get("CodeUri") if resource.get("Type") == "AWS::Serverless::Function" else None
        if isinstance(code, str) and not code.startswith("s3://"):
            properties["CodeUri"] = f"s3://packaged-by-sam/{name}.zip"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("template", type=Path)
    parser.add_argument("-o", "--out", type=Path, required=True, help="where to write the CloudFormation JSON")
    parser.add_argument("--region", default="eu-west-1", help="region whose partition ARNs use (default eu-west-1)")
    args = parser.parse_args()
    translated = translate(args.template, args.region)
    args.out.write_text(json.dumps(translated, indent=1, sort_keys=True) + "\n")
    print(f"{args.template} -> {args.out}: {len(translated['Resources'])} resources", file=sys.stderr)


if __name__ == "__main__":
    main()
