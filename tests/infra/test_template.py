"""template.yaml: cfn-lint on the SAM template, the template translated offline by the SAM translator and linted
again (that pass sees the expanded resources: cycles, runtimes), `sam validate --lint`, and what the template
promises, read from the translated template (no cycle, private bucket, least privilege, the cache key)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from infra_tools import ROOT, SAM_BIN, run, sam_environment, tool

from handler.resolve import TEMPLATE_PARAM
from handler.signing import SIGNATURE_PARAM

pytestmark = pytest.mark.slow  # each lint or translation is a few seconds of a subprocess

TEMPLATE = ROOT / "template.yaml"
WAF_TEMPLATE = ROOT / "infra" / "waf.yaml"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


@pytest.fixture(scope="module")
def sam_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return sam_environment(tmp_path_factory)


def translate(source: Path, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run([tool(SAM_BIN / "python"), ROOT / "infra" / "translate.py", source, "-o", out], env)


def cfn_lint(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run([tool(SAM_BIN / "cfn-lint"), path], env)


@pytest.fixture(scope="module")
def translated_path(sam_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("translated") / "template.json"
    done = translate(TEMPLATE, out, sam_env)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def cfn(translated_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(translated_path.read_text())
    return data


def resources(cfn: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in cfn["Resources"].items() if r["Type"] == kind}


def props(cfn: dict[str, Any], name: str) -> dict[str, Any]:
    properties: dict[str, Any] = cfn["Resources"][name]["Properties"]
    return properties


# --- the linters --------------------------------------------------------------------------------------------------


def test_cfn_lint_passes_on_the_sam_template(sam_env: dict[str, str]) -> None:
    done = cfn_lint(TEMPLATE, sam_env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_cfn_lint_passes_on_the_translated_template(sam_env: dict[str, str], translated_path: Path) -> None:
    done = cfn_lint(translated_path, sam_env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_sam_validate_lint(sam_env: dict[str, str]) -> None:
    done = run([tool(SAM_BIN / "sam"), "validate", "--lint", "--template", TEMPLATE], sam_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is a valid SAM Template" in done.stdout + done.stderr


def test_the_waf_template_lints(sam_env: dict[str, str]) -> None:
    done = cfn_lint(WAF_TEMPLATE, sam_env)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("original", "broken", "rule"),
    [
        # The function learning the CDN's name from the distribution: Distribution -> Url -> Function -> Distribution.
        ('OGEDGE_TRUST_FORWARDED_HOST: "1"', "OGEDGE_CDN_URL: !GetAtt Distribution.DomainName", "E3004"),
        ("Runtime: python3.12", "Runtime: python3.99", "E3030"),
    ],
)
def test_the_second_pass_catches_a_cycle_and_a_bad_runtime(
    sam_env: dict[str, str], tmp_path: Path, original: str, broken: str, rule: str
) -> None:
    text = TEMPLATE.read_text()
    assert text.count(original) == 1
    mutated = tmp_path / "template.yaml"
    mutated.write_text(text.replace(original, broken))
    out = tmp_path / "translated.json"
    assert translate(mutated, out, sam_env).returncode == 0
    done = cfn_lint(out, sam_env)
    assert done.returncode != 0
    assert rule in done.stdout


# --- no cycle -----------------------------------------------------------------------------------------------------


def references(value: Any) -> Iterator[str]:
    """The logical ids a piece of a template refers to (Ref, GetAtt, Sub)."""
    if isinstance(value, list):
        for item in value:
            yield from references(item)
    elif isinstance(value, dict):
        if "Ref" in value:
            yield str(value["Ref"])
        elif "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            yield str(target[0] if isinstance(target, list) else target.split(".")[0])
        elif "Fn::Sub" in value:
            text, local = (value["Fn::Sub"], {}) if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"]
            for name in re.findall(r"\$\{([^}!]+)\}", text):
                if name.split(".")[0] not in local:
                    yield name.split(".")[0]
            yield from references(list(local.values()))
        else:
            for item in value.values():
                yield from references(item)


def depends_on(cfn: dict[str, Any], name: str) -> set[str]:
    """Every resource ``name`` needs before it can be created, transitively."""
    found: set[str] = set()
    todo = [name]
    while todo:
        resource = cfn["Resources"][todo.pop()]
        direct = set(references(resource.get("Properties", {})))
        explicit = resource.get("DependsOn", [])
        direct |= {explicit} if isinstance(explicit, str) else set(explicit)
        for target in direct & set(cfn["Resources"]) - found:
            found.add(target)
            todo.append(target)
    return found


def test_the_function_never_depends_on_the_distribution(cfn: dict[str, Any]) -> None:
    needs = depends_on(cfn, "OgedgeFunction")
    assert "Distribution" not in needs
    assert {"Bucket", "OgedgeFunctionRole", "FunctionLogGroup"} <= needs
    assert "Distribution" in depends_on(cfn, "CloudFrontInvokesUrl")  # the permission comes after both


def test_the_function_learns_the_cdn_from_the_forwarded_host(cfn: dict[str, Any]) -> None:
    env = props(cfn, "OgedgeFunction")["Environment"]["Variables"]
    assert env["OGEDGE_TRUST_FORWARDED_HOST"] == "1"
    host_function = props(cfn, "ForwardHostFunction")
    assert "request.headers['x-forwarded-host']" in host_function["FunctionCode"]
    assert "request.headers.host.value" in host_function["FunctionCode"]
    for behaviour in distribution(cfn)["CacheBehaviors"]:  # every behaviour that reaches the function
        (association,) = behaviour["FunctionAssociations"]
        assert association["EventType"] == "viewer-request"
        assert association["FunctionARN"] == {"Fn::GetAtt": ["ForwardHostFunction", "FunctionMetadata.FunctionARN"]}
    policy = props(cfn, "OgOriginRequestPolicy")["OriginRequestPolicyConfig"]
    assert policy["HeadersConfig"] == {"HeaderBehavior": "whitelist", "Headers": ["x-forwarded-host"]}


def test_the_cloudfront_function_copies_the_host(tmp_path: Path, cfn: dict[str, Any]) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the CloudFront Function's JavaScript is not run")
    script = tmp_path / "run.js"
    script.write_text(
        props(cfn, "ForwardHostFunction")["FunctionCode"]
        + "\nconst out = handler({request: {headers: {host: {value: 'd1.cloudfront.net'},"
        + " 'x-forwarded-host': {value: 'evil.example'}}}});\nconsole.log(JSON.stringify(out.headers));\n"
    )
    done = subprocess.run([node, str(script)], capture_output=True, text=True, check=True, timeout=30)
    headers = json.loads(done.stdout)
    assert headers["x-forwarded-host"] == {"value": "d1.cloudfront.net"}  # the viewer's own value is replaced


# --- the function -------------------------------------------------------------------------------------------------


def parameter_default(cfn: dict[str, Any], name: str) -> Any:
    return cfn["Parameters"][name]["Default"]


def test_the_function(cfn: dict[str, Any]) -> None:
    function = props(cfn, "OgedgeFunction")
    assert function["Runtime"] == "python3.12"
    assert function["Handler"] == "handler.main.lambda_handler"
    assert function["Architectures"] == [{"Ref": "Architecture"}]
    assert parameter_default(cfn, "Architecture") == "arm64"
    assert function["MemorySize"] == {"Ref": "MemorySize"}
    assert parameter_default(cfn, "MemorySize") == 1769  # infra/README.md, "Memory"
    assert parameter_default(cfn, "Timeout") <= 29  # under the HTTP API's 30 s
    reserved = function["ReservedConcurrentExecutions"]["Fn::If"]
    assert reserved[:2] == ["HasReservedConcurrency", {"Ref": "ReservedConcurrency"}]
    url = props(cfn, "OgedgeFunctionUrl")
    assert url["AuthType"] == "AWS_IAM"


def test_no_key_is_written_in_the_template(cfn: dict[str, Any]) -> None:
    env = props(cfn, "OgedgeFunction")["Environment"]["Variables"]
    assert not {"OGEDGE_SIGNING_KEYS", "OGEDGE_API_KEYS", "OGEDGE_WEBHOOK_SECRET"} & set(env)
    assert env["OGEDGE_SIGNING_KEYS_PARAMETER"] == {"Ref": "SigningKeysParameterName"}
    assert env["OGEDGE_API_KEYS_PARAMETER"] == {"Ref": "ApiKeysParameterName"}


def test_every_variable_the_template_sets_is_one_the_code_reads(cfn: dict[str, Any]) -> None:
    code = "".join(p.read_text() for p in (ROOT / "handler").glob("*.py"))
    env = props(cfn, "OgedgeFunction")["Environment"]["Variables"]
    for name in env:
        setting = name.removesuffix("_PARAMETER")
        assert f'"{setting}' in code, f"{name} is set by the template but no handler module reads it"


def statements(cfn: dict[str, Any]) -> list[dict[str, Any]]:
    role = props(cfn, "OgedgeFunctionRole")
    found = [s for policy in role.get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]
    found += props(cfn, "SelfInvokePolicy")["PolicyDocument"]["Statement"]
    return found


def test_the_role_has_least_privilege(cfn: dict[str, Any]) -> None:
    granted: dict[str, list[Any]] = {}
    for statement in statements(cfn):
        assert statement["Effect"] == "Allow"
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not any("*" in action for action in actions), statement
        assert statement["Resource"] != "*", statement
        for action in actions:
            granted.setdefault(action, []).append(statement["Resource"])
    expected = {"s3:GetObject", "s3:PutObject", "s3:ListBucket", "ssm:GetParameters", "lambda:InvokeFunction"}
    assert set(granted) == expected
    assert granted["s3:PutObject"] == [{"Fn::Sub": "${Bucket.Arn}/img/*"}]
    assert sorted(map(str, granted["s3:GetObject"])) == sorted(
        map(str, [{"Fn::Sub": "${Bucket.Arn}/img/*"}, {"Fn::Sub": "${Bucket.Arn}/${SiteKey}"}])
    )
    assert granted["lambda:InvokeFunction"] == [{"Fn::GetAtt": ["OgedgeFunction", "Arn"]}]
    assert props(cfn, "SelfInvokePolicy")["Roles"] == [{"Ref": "OgedgeFunctionRole"}]


def test_the_object_prefix_is_the_one_cloudfront_serves(cfn: dict[str, Any]) -> None:
    env = props(cfn, "OgedgeFunction")["Environment"]["Variables"]
    assert env["OGEDGE_PREFIX"] == "img/"
    assert env["OGEDGE_SITE"] == {"Fn::Sub": "s3://${Bucket}/${SiteKey}"}
    assert parameter_default(cfn, "SiteKey").startswith("site/")  # outside img/: CloudFront never serves it


# --- storage ------------------------------------------------------------------------------------------------------


def test_the_bucket_is_private_encrypted_and_owner_enforced(cfn: dict[str, Any]) -> None:
    bucket = props(cfn, "Bucket")
    assert bucket["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_only_this_distribution_reads_and_only_rendered_objects(cfn: dict[str, Any]) -> None:
    allow, deny = props(cfn, "BucketPolicy")["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert allow["Resource"] == {"Fn::Sub": "${Bucket.Arn}/img/*"}
    source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source.endswith(":distribution/${Distribution}")
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


# --- CloudFront ---------------------------------------------------------------------------------------------------


def distribution(cfn: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = props(cfn, "Distribution")["DistributionConfig"]
    return config


def origin(cfn: dict[str, Any], origin_id: str) -> dict[str, Any]:
    (found,) = [o for o in distribution(cfn)["Origins"] if o["Id"] == origin_id]
    return dict(found)


def behaviour(cfn: dict[str, Any], pattern: str) -> dict[str, Any]:
    (found,) = [b for b in distribution(cfn)["CacheBehaviors"] if b["PathPattern"] == pattern]
    return dict(found)


def test_the_default_behaviour_serves_stored_objects_from_s3(cfn: dict[str, Any]) -> None:
    default = distribution(cfn)["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "objects"
    assert default["CachePolicyId"]["Fn::FindInMap"][1:] == ["CachePolicy", "CachingOptimized"]
    assert cfn["Mappings"]["ManagedPolicies"]["CachePolicy"]["CachingOptimized"] == CACHING_OPTIMIZED
    s3 = origin(cfn, "objects")
    assert s3["DomainName"] == {"Fn::GetAtt": ["Bucket", "RegionalDomainName"]}
    assert s3["OriginAccessControlId"] == {"Fn::GetAtt": ["BucketOriginAccessControl", "Id"]}
    oac = props(cfn, "BucketOriginAccessControl")["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"]) == ("s3", "always")


def test_og_goes_to_the_function_through_oac(cfn: dict[str, Any]) -> None:
    og = behaviour(cfn, "/og/*")
    assert og["TargetOriginId"] == "function"
    assert og["AllowedMethods"] == ["GET", "HEAD"]
    function = origin(cfn, "function")
    domain = function["DomainName"]["Fn::Select"]
    assert domain[0] == 2
    assert domain[1]["Fn::Split"][1] == {"Fn::GetAtt": ["OgedgeFunctionUrl", "FunctionUrl"]}
    assert function["OriginAccessControlId"] == {"Fn::GetAtt": ["FunctionOriginAccessControl", "Id"]}
    oac = props(cfn, "FunctionOriginAccessControl")["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"]) == ("lambda", "always")


def test_the_og_cache_key_is_exactly_the_query_parameters_the_function_reads(cfn: dict[str, Any]) -> None:
    og = behaviour(cfn, "/og/*")
    assert og["CachePolicyId"] == {"Ref": "OgCachePolicy"}
    config = props(cfn, "OgCachePolicy")["CachePolicyConfig"]
    key = config["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["QueryStringsConfig"]["QueryStringBehavior"] == "whitelist"
    assert set(key["QueryStringsConfig"]["QueryStrings"]) == {TEMPLATE_PARAM, SIGNATURE_PARAM}
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    # The redirect is kept as long as the function says, which the same parameter sets; errors (no-store) are not.
    env = props(cfn, "OgedgeFunction")["Environment"]["Variables"]
    assert config["MaxTTL"] == config["DefaultTTL"] == env["OGEDGE_REDIRECT_MAX_AGE"] == {"Ref": "RedirectMaxAge"}
    assert config["MinTTL"] == 0
    assert parameter_default(cfn, "RedirectMaxAge") == 300
    forwarded = props(cfn, "OgOriginRequestPolicy")["OriginRequestPolicyConfig"]["QueryStringsConfig"]
    assert forwarded == {"QueryStringBehavior": "all"}  # the variables the signature covers still reach it


def test_cloudfront_may_invoke_the_url_for_this_distribution_only(cfn: dict[str, Any]) -> None:
    permissions = resources(cfn, "AWS::Lambda::Permission")
    url, through = props(cfn, "CloudFrontInvokesUrl"), props(cfn, "CloudFrontInvokesThroughUrl")
    for permission in (url, through):
        assert permission["Principal"] == "cloudfront.amazonaws.com"
        assert permission["SourceArn"]["Fn::Sub"].endswith(":distribution/${Distribution}")
        assert permission["FunctionName"] == {"Ref": "OgedgeFunction"}
    assert (url["Action"], url["FunctionUrlAuthType"]) == ("lambda:InvokeFunctionUrl", "AWS_IAM")
    assert (through["Action"], through["InvokedViaFunctionUrl"]) == ("lambda:InvokeFunction", True)
    public = [p for p in permissions.values() if p["Properties"].get("FunctionUrlAuthType") == "NONE"]
    assert public == []


def test_the_layer_api_is_reached_through_the_http_api(cfn: dict[str, Any]) -> None:
    api = behaviour(cfn, "/image-generation/*")
    assert api["TargetOriginId"] == "layer-api"
    assert "POST" in api["AllowedMethods"]
    managed = cfn["Mappings"]["ManagedPolicies"]
    assert api["CachePolicyId"]["Fn::FindInMap"][1:] == ["CachePolicy", "CachingDisabled"]
    assert managed["CachePolicy"]["CachingDisabled"] == CACHING_DISABLED
    assert api["OriginRequestPolicyId"]["Fn::FindInMap"][1:] == ["OriginRequestPolicy", "AllViewerExceptHostHeader"]
    assert managed["OriginRequestPolicy"]["AllViewerExceptHostHeader"] == ALL_VIEWER_EXCEPT_HOST
    assert "OriginAccessControlId" not in origin(cfn, "layer-api")  # no signing: POST bodies need no hash header
    route = props(cfn, "LayerApi")["Body"]["paths"]["/image-generation/{proxy+}"]["post"]
    integration = route["x-amazon-apigateway-integration"]
    assert (integration["type"], integration["payloadFormatVersion"]) == ("aws_proxy", "2.0")
    assert "${OgedgeFunction.Arn}" in integration["uri"]["Fn::Sub"]
    stage = props(cfn, "LayerApiApiGatewayDefaultStage")["DefaultRouteSettings"]
    assert stage["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRate"}


def test_a_web_acl_can_be_attached(cfn: dict[str, Any]) -> None:
    acl = distribution(cfn)["WebACLId"]["Fn::If"]
    assert acl == ["HasWebAcl", {"Ref": "WebAclArn"}, {"Ref": "AWS::NoValue"}]


def test_the_outputs(cfn: dict[str, Any]) -> None:
    outputs = cfn["Outputs"]
    assert outputs["CdnDomain"]["Value"] == {"Fn::GetAtt": ["Distribution", "DomainName"]}
    assert outputs["OgImageExample"]["Value"] == {"Fn::Sub": "https://${Distribution.DomainName}/og/why-postgres.png"}
    assert "why-postgres" in json.loads((ROOT / "examples" / "site.json").read_text())["pages"]


def test_samconfig_overrides_only_parameters_of_the_template(cfn: dict[str, Any]) -> None:
    config = tomllib.loads((ROOT / "infra" / "samconfig.toml").read_text())
    deploy = config["default"]["deploy"]["parameters"]
    assert deploy["capabilities"] == "CAPABILITY_IAM"  # the role and policy are not named
    overrides = dict(item.split("=", 1) for item in shlex.split(deploy["parameter_overrides"]))
    assert overrides
    for name, value in overrides.items():
        parameter = cfn["Parameters"][name]
        assert str(parameter["Default"]) == value, f"{name}: samconfig {value}, template {parameter['Default']}"
