"""`sam build`, then every event of infra/events/ through the built package's handler, run by AWS's runtime interface
client (awslambdaric) under python3.12 against a stand-in for the Lambda Runtime API (tests/support/lambda_runtime):
what `sam local invoke -e` would do, without Docker. The function gets the environment the template gives it (read
from the translated template, parameters at their defaults) with S3 and SSM served by moto on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import uuid
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import boto3
import pytest
from infra_tools import LAMBDA_BIN, ROOT, SAM_BIN, run, sam_environment, tool
from lambda_runtime import (
    FunctionInstance,
    Outcome,
    RuntimeApi,
    function_instance,
    host_architecture,
    lambda_environment,
)
from PIL import Image
from s3_servers import S3Server

pytestmark = pytest.mark.slow  # a `sam build` (about half a minute) and a function process

EVENTS = ROOT / "infra" / "events"
HANDLER = "handler.main.lambda_handler"
CDN = "https://d111111abcdef8.cloudfront.net"  # the x-forwarded-host of the events that come through CloudFront
LIMIT_BYTES = 250 * 1024 * 1024
ELF_MACHINES = {"x86_64": 0x3E, "arm64": 0xB7}
API_KEY = "example-api-key-change-me"  # in function-url-post-generate.json and http-api-v2-post-generate.json
SIGNING_KEY = "example-signing-key-change-me"  # signed function-url-get-signed.json


@pytest.fixture(scope="module")
def sam_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return sam_environment(tmp_path_factory)


# --- the build ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def build_dir(sam_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    arch = host_architecture()
    env = {
        **sam_env,
        "OGEDGE_LAMBDA_ARCH": arch,
        "OGEDGE_LAMBDA_WHEELS": str(tool(LAMBDA_BIN.parent / "wheels" / arch)),  # offline, as CI is
        "PYTHON312": str(tool(LAMBDA_BIN / "python3.12")),
    }
    out = tmp_path_factory.mktemp("sam") / "build"
    command: list[str | Path] = [SAM_BIN / "sam", "build", "--config-file", "infra/samconfig.toml"]
    command += ["--template", ROOT / "template.yaml", "--build-dir", out]
    command += ["--parameter-overrides", f"Architecture={arch}"]
    done = run(command, env, timeout_s=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="module")
def task_root(build_dir: Path) -> Path:
    return build_dir / "OgedgeFunction"


def test_the_built_template_points_at_the_package(build_dir: Path) -> None:
    text = (build_dir / "template.yaml").read_text()
    assert re.search(r"CodeUri: OgedgeFunction\b", text)
    assert (build_dir / "OgedgeFunction" / "handler" / "main.py").is_file()


def test_the_package_is_for_this_machine_and_under_the_limit(task_root: Path) -> None:
    manifest = json.loads((task_root / "ogedge-lambda.json").read_text())
    arch = host_architecture()
    assert (manifest["architecture"], manifest["python"]) == (arch, "3.12")
    total = sum(p.stat().st_size for p in task_root.rglob("*") if p.is_file() and not p.is_symlink())
    assert total == manifest["bytes"] + (task_root / "ogedge-lambda.json").stat().st_size
    assert total < LIMIT_BYTES, f"{total / 1e6:.1f} MB unzipped"
    fribidi = (task_root / "lib" / "libfribidi.so.0").read_bytes()
    assert fribidi[:4] == b"\x7fELF"
    assert int.from_bytes(fribidi[18:20], "little") == ELF_MACHINES[arch]
    print(f"\nLambda package: {total / 1e6:.1f} MB unzipped ({total / LIMIT_BYTES:.0%} of the limit)")


def test_the_package_carries_the_fonts_and_bytecode_for_the_runtime(task_root: Path) -> None:
    fonts = ROOT / "renderer" / "fonts"
    bundled = sorted(p.relative_to(fonts).with_suffix("") for p in fonts.rglob("*.ttf"))
    assert bundled
    packaged = task_root / "renderer" / "fonts"
    faces = [*packaged.rglob("*.ttf"), *packaged.rglob("*.woff")]  # the smaller families packed as WOFF
    assert sorted(p.relative_to(packaged).with_suffix("") for p in faces) == bundled
    assert (packaged / "Lora" / "Lora-Bold.woff").is_file()
    assert (packaged / "inter" / "Inter-Bold.ttf").is_file()
    pyc = task_root / "handler" / "__pycache__" / "main.cpython-312.pyc"
    flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
    assert flags == 0b01  # hash-based and never checked against the source: /var/task is read-only


def test_pillow_in_the_package_lays_text_out_with_raqm_and_fribidi(task_root: Path) -> None:
    """With Lambda's variables (which copy is loaded: test_text_is_laid_out_with_the_packages_fribidi)."""
    python = tool(LAMBDA_BIN / "python3.12")
    code = "import PIL; from PIL import features as f; print(PIL.__file__, f.check('raqm'), f.check('fribidi'))"
    api = RuntimeApi()
    try:
        env = lambda_environment(task_root, python, api)
    finally:
        api.close()
    done = subprocess.run([python, "-c", code], cwd=task_root, env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(task_root / "PIL" / "__init__.py"), "True", "True"]


def test_botocore_keeps_every_service_the_handler_calls(task_root: Path) -> None:
    called = set()
    for module in (ROOT / "handler").glob("*.py"):
        called |= set(re.findall(r"""client\(\s*["']([a-z0-9-]+)["']""", module.read_text()))
    assert {"s3", "lambda", "ssm"} <= called
    kept = {p.name for p in (task_root / "botocore" / "data").iterdir() if p.is_dir()}
    assert called <= kept, f"botocore's models of {called - kept} were pruned from the package"


# --- the environment the template gives the function ---------------------------------------------------------------


def resolve(value: Any, names: dict[str, Any], conditions: dict[str, bool]) -> Any:
    """The intrinsics the function's environment uses (Ref, Sub, If), with parameters at their defaults."""
    if isinstance(value, dict) and "Ref" in value:
        return names[value["Ref"]]
    if isinstance(value, dict) and "Fn::Sub" in value:
        return re.sub(r"\$\{([^}]+)\}", lambda m: str(names[m.group(1)]), value["Fn::Sub"])
    if isinstance(value, dict) and "Fn::If" in value:
        condition, then, otherwise = value["Fn::If"]
        return resolve(then if conditions[condition] else otherwise, names, conditions)
    assert isinstance(value, str), value
    return value


def condition_value(value: Any, names: dict[str, Any]) -> bool:
    if "Fn::Not" in value:
        return not condition_value(value["Fn::Not"][0], names)
    left, right = (resolve(v, names, {}) for v in value["Fn::Equals"])
    return bool(str(left) == str(right))


def template_environment(translated: dict[str, Any], bucket: str) -> dict[str, str]:
    names: dict[str, Any] = {name: p.get("Default", "") for name, p in translated["Parameters"].items()}
    names |= {"Bucket": bucket, "AWS::NoValue": None}
    conditions = {name: condition_value(c, names) for name, c in translated["Conditions"].items()}
    variables = translated["Resources"]["OgedgeFunction"]["Properties"]["Environment"]["Variables"]
    resolved = {name: resolve(value, names, conditions) for name, value in variables.items()}
    return {name: str(value) for name, value in resolved.items() if value is not None}


@pytest.fixture(scope="module")
def translated(sam_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("translated") / "template.json"
    done = run([tool(SAM_BIN / "python"), ROOT / "infra" / "translate.py", ROOT / "template.yaml", "-o", out], sam_env)
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def aws(server: S3Server, service: str) -> Any:
    return boto3.session.Session().client(
        service,
        endpoint_url=server.endpoint,
        region_name="eu-west-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
    )


@pytest.fixture(scope="module")
def deployment(moto_server: S3Server, translated: dict[str, Any]) -> tuple[dict[str, str], Any]:
    """A bucket with the site file where the template says, the keys in SSM, and the function's environment."""
    s3, ssm = aws(moto_server, "s3"), aws(moto_server, "ssm")
    bucket = f"ogedge-lambda-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    env = template_environment(translated, bucket)
    site = env["OGEDGE_SITE"].removeprefix(f"s3://{bucket}/")
    s3.put_object(Bucket=bucket, Key=site, Body=(ROOT / "examples" / "site.json").read_bytes())
    for parameter, value in (("OGEDGE_SIGNING_KEYS_PARAMETER", SIGNING_KEY), ("OGEDGE_API_KEYS_PARAMETER", API_KEY)):
        ssm.put_parameter(Name=env[parameter], Value=value, Type="SecureString", Overwrite=True)
    endpoints = {
        "AWS_ENDPOINT_URL_S3": moto_server.endpoint,
        "AWS_ENDPOINT_URL_SSM": moto_server.endpoint,
        "AWS_ACCESS_KEY_ID": moto_server.access_key,
        "AWS_SECRET_ACCESS_KEY": moto_server.secret_key,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    return {**env, **endpoints}, s3


@pytest.fixture(scope="module")
def function(
    task_root: Path, deployment: tuple[dict[str, str], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FunctionInstance]:
    """One warm instance for all the events, as Lambda reuses an instance."""
    env, _ = deployment
    python = tool(LAMBDA_BIN / "python3.12")
    with function_instance(python, task_root, HANDLER, env, tmp_path_factory.mktemp("logs")) as instance:
        yield instance


# --- every event ----------------------------------------------------------------------------------------------------


def event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return data


def header(response: dict[str, Any], name: str) -> str:
    for key, value in (response.get("headers") or {}).items():
        if key.lower() == name:
            return str(value)
    for key, values in (response.get("multiValueHeaders") or {}).items():
        if key.lower() == name:
            return str(values[0])
    raise AssertionError(f"no {name} header in {response}")


def decode(data: bytes) -> tuple[int, int]:
    with Image.open(BytesIO(data)) as image:
        image.load()
        return image.size


def stored(s3: Any, bucket: str, key: str) -> tuple[int, int]:
    obj = s3.get_object(Bucket=bucket, Key=key)
    assert obj["ContentType"] == "image/png"
    assert obj["CacheControl"] == "public, max-age=31536000, immutable"
    return decode(obj["Body"].read())


Check = Callable[[Any, Any, str], None]


def redirect_to(base: str) -> Check:
    def check(answer: Any, s3: Any, bucket: str) -> None:
        assert answer["statusCode"] == 302, answer
        location = header(answer, "location")
        assert location.startswith(f"{base}/img/"), location
        assert header(answer, "cache-control") == "public, max-age=300"
        assert stored(s3, bucket, location.removeprefix(f"{base}/")) == (1200, 630)

    return check


def http_error(status: int, code: str) -> Check:
    def check(answer: Any, s3: Any, bucket: str) -> None:
        assert answer["statusCode"] == status, answer
        assert json.loads(answer["body"])["code"] == code
        assert header(answer, "cache-control") == "no-store"

    return check


def layer_api_image(answer: Any, s3: Any, bucket: str) -> None:
    assert answer["statusCode"] == 200, answer
    body = json.loads(answer["body"])
    assert body["success"] is True
    assert decode(base64.b64decode(body["data"]["buffer"])) == (1200, 630)


def direct_stored(answer: Any, s3: Any, bucket: str) -> None:
    results = answer.get("results", [answer])
    assert answer["success"] is True, answer
    for result in results:
        assert (result["success"], result["stored"]) == (True, True)
        assert result["url"] is None  # no OGEDGE_CDN_URL: a direct invocation has no viewer host to go by
        assert stored(s3, bucket, result["object_key"]) == (1200, 630)


def direct_image(answer: Any, s3: Any, bucket: str) -> None:
    assert answer["success"] is True, answer
    assert decode(base64.b64decode(answer["buffer"])) == (1200, 630)
    assert stored(s3, bucket, answer["object_key"]) == (1200, 630)


EXPECTED: dict[str, Check] = {
    "function-url-get-slug": redirect_to(CDN),
    "function-url-get-unknown-slug": http_error(404, "unknown_slug"),
    "function-url-get-signed": redirect_to(CDN),
    "function-url-post-generate": layer_api_image,
    "http-api-v2-get-slug": redirect_to("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"),
    "http-api-v2-post-generate": layer_api_image,
    "api-gateway-rest-v1-get-slug": redirect_to("https://r2d2c3po4e.execute-api.eu-west-1.amazonaws.com"),
    "alb-get-slug": redirect_to("https://ogedge-alb-123456789.eu-west-1.elb.amazonaws.com"),
    "direct-slug": direct_stored,
    "direct-slugs": direct_stored,
    "direct-request": direct_image,
}


def test_every_event_file_has_an_expectation() -> None:
    assert {p.stem for p in EVENTS.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_event_through_the_built_handler(
    name: str, function: FunctionInstance, deployment: tuple[dict[str, str], Any]
) -> None:
    env, s3 = deployment
    outcome = function.invoke(event(name))
    assert outcome.kind == "response", outcome.body.decode()[:2000] + function.output()[-2000:]
    EXPECTED[name](outcome.json(), s3, env["OGEDGE_BUCKET"])


def test_a_repeated_request_is_a_hit(function: FunctionInstance) -> None:
    first = function.invoke(event("function-url-get-signed")).json()
    again = function.invoke(event("function-url-get-signed")).json()
    assert header(again, "x-ogedge-cache") == "hit"
    assert header(again, "location") == header(first, "location")


def test_text_is_laid_out_with_the_packages_fribidi(function: FunctionInstance, task_root: Path) -> None:
    request = event("direct-request")
    request["request"]["layers"][1]["text"] = "שלום world مرحبا"  # right-to-left runs need FriBiDi
    answer = function.invoke(request).json()
    assert answer["success"] is True, answer
    loaded = {path for path in function.mapped_files() if "fribidi" in path}
    assert loaded == {str(task_root / "lib" / "libfribidi.so.0")}


def test_bad_settings_are_an_invocation_error_naming_the_variable(
    task_root: Path, deployment: tuple[dict[str, str], Any], tmp_path: Path
) -> None:
    env, _ = deployment
    python = tool(LAMBDA_BIN / "python3.12")
    with function_instance(python, task_root, HANDLER, {**env, "OGEDGE_RESPONSE_MODE": "sometimes"}, tmp_path) as fn:
        outcome: Outcome = fn.invoke(event("direct-slug"))
    assert outcome.kind == "error"
    error = outcome.json()
    assert error["errorType"] == "SettingsError"
    assert "OGEDGE_RESPONSE_MODE" in error["errorMessage"]


def test_a_handler_that_cannot_be_imported_is_an_init_error(task_root: Path, tmp_path: Path) -> None:
    python = tool(LAMBDA_BIN / "python3.12")
    with function_instance(python, task_root, "handler.nope.lambda_handler", {}, tmp_path) as fn:
        fn.process.wait(timeout=60)
        assert fn.api.init_error is not None
        assert json.loads(fn.api.init_error)["errorType"] == "Runtime.ImportModuleError"


def test_a_cold_start_on_the_built_package(
    task_root: Path, deployment: tuple[dict[str, str], Any], tmp_path: Path
) -> None:
    """Measured, not asserted (infra/coldstart.py repeats it on one core): the figures are printed."""
    env, _ = deployment
    python = tool(LAMBDA_BIN / "python3.12")
    with function_instance(python, task_root, HANDLER, env, tmp_path) as fn:
        init_s = fn.init_s()
        first = fn.invoke(event("direct-request"))
    assert first.kind == "response"
    print(f"\ncold start: init {init_s * 1000:.0f} ms, first invocation (a render) {first.duration_s * 1000:.0f} ms")


def test_the_sam_local_env_file_runs_the_events_that_need_no_aws(
    task_root: Path, deployment: tuple[dict[str, str], Any], tmp_path: Path
) -> None:
    """infra/sam-local-env.json (for `sam local invoke --env-vars`) over the template's environment: the filesystem
    store and the events' own keys, so the request and layer API events work with no AWS account."""
    env, _ = deployment
    local = json.loads((ROOT / "infra" / "sam-local-env.json").read_text())["OgedgeFunction"]
    assert set(local) - set(env) <= {"OGEDGE_STORE_DIR", "OGEDGE_SIGNING_KEYS", "OGEDGE_API_KEYS"}
    python = tool(LAMBDA_BIN / "python3.12")
    offline = {k: v for k, v in env.items() if not k.startswith("AWS_")}  # no endpoint, no credentials
    local["OGEDGE_STORE_DIR"] = str(tmp_path / "store")  # /tmp/ogedge in the container
    with function_instance(python, task_root, HANDLER, {**offline, **local}, tmp_path) as fn:
        answers = {name: fn.invoke(event(name)).json() for name in ("direct-request", "http-api-v2-post-generate")}
    assert answers["direct-request"]["success"] is True, answers
    assert answers["http-api-v2-post-generate"]["statusCode"] == 200, answers
    assert len(list((tmp_path / "store" / "img").iterdir())) == 1  # both rendered the same request: one object
