import subprocess
import sys

import requests


def test_the_cli_says_it_is_a_test_provider_and_serves_its_issuer():
    process = subprocess.Popen(
        [sys.executable, "-m", "servicetorg.testidp", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert "TEST identity provider for development only" in line
        issuer = line.rsplit(" ", 1)[-1]
        assert issuer.startswith("http://127.0.0.1:") and not issuer.endswith(":0")
        document = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
        assert document["issuer"] == issuer
    finally:
        process.terminate()
        process.wait(10)
