"""is_secret: every real-shaped key (random, generated here in each provider's documented
shape; never a real key) is a secret with the right detector, and no placeholder, in any
of the languages template collections are written in, ever is."""

from __future__ import annotations

import random
import string

import pytest

from ingest.secret_detect import is_secret
from ingest.secret_scan import embedded_secrets

RNG = random.Random(13)
ALNUM = string.ascii_letters + string.digits


def rand(n: int, chars: str = ALNUM) -> str:
    return "".join(RNG.choice(chars) for _ in range(n))


def digits(n: int) -> str:
    return str(RNG.randint(10 ** (n - 1), 10 ** n - 1))


#: (shape, value, detector) - each built in the format the provider documents.
REAL_SHAPED = [
    ("AWS access key id", "AKIA" + rand(16, string.ascii_uppercase + string.digits),
     "aws-access-key"),
    ("AWS secret access key", rand(40, ALNUM + "/+"), "high-entropy"),
    ("GitHub classic token", "ghp_" + rand(36), "github-token"),
    ("GitHub OAuth token", "gho_" + rand(36), "github-token"),
    ("GitHub fine-grained token", "github_pat_" + rand(22) + "_" + rand(59), "high-entropy"),
    ("Slack bot token", f"xoxb-{digits(11)}-{digits(12)}-{rand(24, string.ascii_lowercase)}",
     "slack-token"),
    ("Slack user token", f"xoxp-{digits(11)}-{digits(11)}-{digits(12)}-{rand(32, '0123456789abcdef')}",
     "slack-token"),
    ("OpenAI legacy key", "sk-" + rand(20) + "T3BlbkFJ" + rand(20), "openai-token"),
    ("OpenAI project key", "sk-proj-" + rand(64, ALNUM + "_-"), "high-entropy"),
    ("Stripe live secret key", "sk_live_" + rand(24), "stripe-access-key"),
    ("Stripe restricted key", "rk_live_" + rand(24), "stripe-access-key"),
    ("JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Im4"
            "ifQ." + rand(43, ALNUM + "-_"), "json-web-token"),
    ("RSA private key block", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow" + rand(60) +
     "\n-----END RSA PRIVATE KEY-----", "private-key"),
    ("OpenSSH private key block", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl" + rand(60),
     "private-key"),
    ("32-hex API key", rand(32, "0123456789abcdef"), "high-entropy"),
    ("UUID-shaped API key", "-".join(rand(n, "0123456789abcdef") for n in (8, 4, 4, 4, 12)),
     "high-entropy"),
    ("random 24-character token", rand(24), "high-entropy"),
    ("BookStack token id:secret", rand(32) + ":" + rand(32), "high-entropy"),
    ("GitLab personal token", "glpat-" + rand(20), "gitlab-token"),
    ("npm token", "npm_" + rand(36), "high-entropy"),  # the npm plugin reads .npmrc lines
    ("SendGrid key", "SG." + rand(22, ALNUM + "-_") + "." + rand(43, ALNUM + "-_"),
     "sendgrid-api-key"),
]

#: Placeholders and text: never secrets. At least five languages and four scripts.
NEVER = [
    # expressions
    "={{ $json.token }}", "${{ secrets.SLACK_TOKEN }}", "{{ api_key }}", "$env.OPENAI_KEY",
    "={{ $credentials.apiKey }}", "Bearer {{$json.access_token}}",
    # English
    "YOUR_API_KEY", "Bearer YOUR_TOKEN_HERE", "<your-api-key>", "<TOKEN>", "xxx",
    "xxxxxxxxxxxxxxxxxxxxxxxx", "changeme", "example", "my-example-token-12345",
    "sk-xxxxxxxxxxxxxxxxxxxxxxxx", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "[REDACTED]", "PLACEHOLDER_BOT_TOKEN", "insert_token_here", "api_token_goes_here",
    "Bearer put your token here",
    # documented example keys (AWS documentation)
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    # Chinese, Japanese, Korean
    "Bearer 你的飞书应用Token", "你的API密钥", "Bearer あなたのアクセストークン", "여기에_API_키_입력",
    # Russian, Ukrainian
    "Bearer ВАШ_ТОКЕН", "ваш_ключ_api", "ВАШ_КЛЮЧ_API_ТУТ",
    # Arabic, Hebrew
    "Bearer رمز_الوصول_الخاص_بك", "המפתח_שלך",
    # French, German, Spanish, Portuguese, Italian, Dutch, Turkish
    "Bearer votre_jeton_ici", "VOTRE_CLE_API", "IHR_API_SCHLUESSEL_HIER", "Bearer dein-token",
    "tu_clave_de_api_aqui", "TU_TOKEN_AQUI", "sua-chave-api-aqui", "SEU_TOKEN",
    "la_tua_chiave_api", "jouw_api_sleutel", "API_ANAHTARINIZ",
    # words that are no key at all
    "application/json", "Content-Type", "supersecretpassword", "abcdefghijklmnopqrstu",
    "1234567890123456",
]


@pytest.mark.parametrize(("shape", "value", "detector"), REAL_SHAPED,
                         ids=[r[0] for r in REAL_SHAPED])
def test_every_real_shaped_key_is_a_secret(shape, value, detector):
    assert is_secret(value) == detector
    if "\n" not in value:
        assert is_secret(f"Bearer {value}") == detector  # the scheme is not part of it


@pytest.mark.parametrize("value", NEVER)
def test_no_placeholder_is_a_secret(value):
    assert is_secret(value) is None
    assert is_secret(value, "password") is None  # not even in a password field


def test_a_password_field_takes_a_plain_password():
    assert is_secret("Znuny2024x", "password") == "keyword"
    assert is_secret("Znuny2024x") is None          # elsewhere: too plain to be a key
    assert is_secret("pw12", "password") is None     # too short to judge


def test_embedded_secrets_fingerprint_only_what_the_detector_keeps():
    aws = REAL_SHAPED[0][1]
    params = {"headerParameters": {"parameters": [
        {"name": "Authorization", "value": "Bearer 你的飞书应用Token"},
        {"name": "X-Api-Key", "value": aws},
        {"name": "Authorization", "value": "={{ 'Bearer ' + $json.token }}"}]},
        "url": "https://api.example.org/v1?token=YOUR_TOKEN&key=" + REAL_SHAPED[14][1],
        "apiKey": "<your key>"}
    found = [(field, detector) for field, _, _, detector in embedded_secrets(params)]
    assert found == [("headerParameters.X-Api-Key", "aws-access-key"),
                     ("url?key", "high-entropy")]
