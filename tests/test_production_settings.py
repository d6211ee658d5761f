"""The example site's production settings pass ``manage.py check --deploy`` without a warning."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The environment the README's "Running in production" section documents.
PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "example_site.settings_production",
    "SECRET_KEY": "k3Jx9-q2VbT7mZ4rW8nL1sYc6Hd0Pf5Ga2Ue8Io3Ky7Rt4Wq9Zx1Nm6Bv5Cs8Dj2",
    "ALLOWED_HOSTS": "khaosat.sokhcn.example.gov.vn",
    "CSRF_TRUSTED_ORIGINS": "https://khaosat.sokhcn.example.gov.vn",
    "DATABASE_URL": "sqlite:///" + str(ROOT / "var" / "check-deploy.sqlite3"),
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "WAGTAILADMIN_BASE_URL": "https://khaosat.sokhcn.example.gov.vn",
    "TRUSTED_PROXY_COUNT": "1",
}


def check_deploy(environment):
    # Only what a server would have: none of the test run's own variables (the browser
    # tests' DJANGO_ALLOW_ASYNC_UNSAFE is rightly an error in deployment).
    env = {key: value for key, value in os.environ.items()
           if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DEBUG",
                          "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(environment)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_prints_no_warning_with_the_production_environment():
    result = check_deploy(PRODUCTION_ENVIRONMENT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output and "?: (" not in output, output
    assert "System check identified no issues (0 silenced)." in output


def test_the_development_settings_would_not_pass():
    # The same check against the development settings with DEBUG off: it does warn, so
    # the test above is checking something.
    result = check_deploy({"DJANGO_SETTINGS_MODULE": "example_site.settings", "DEBUG": "0"})
    output = result.stdout + result.stderr
    assert "security.W004" in output and "security.W008" in output, output
