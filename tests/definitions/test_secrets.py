from __future__ import annotations

import pytest

from deployer.definitions.secrets import CredentialHit, find_credentials

# Fake credentials assembled at runtime so this file does not itself trip secret scanners.
AWS_KEY = "AKIA" + "Q3EGRXMPLQ4ZT7WN"
GH_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
GL_TOKEN = "glpat-" + "xR4nd0mT0k3nV4lu3zz9"
SLACK_TOKEN = "xoxb-" + "1234567890-abcdefghijkl"
DS_TOKEN = "5f4dcc3b5aa765d6" + "1d8327deb882cf99"  # 32 hex digits, as DS issues them
PEM = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        ("export PGPASSWORD=hunter2\npsql -h db -U etl", "hunter2", "password"),
        ("export PGPASSWORD='s3cr3t pass'\n", "s3cr3t pass", "password"),
        ("mysql -uroot -psecret123 -e 'select 1'", "secret123", "password"),
        ("mysqldump -h db -u etl -p'Pa55w0rd!' sales > sales.sql", "Pa55w0rd!", "password"),
        ("pg_dump --password=Tr1cky sales", "Tr1cky", "password"),
        ("sshpass -p hunter22 ssh etl@host", "hunter22", "password"),
        ("CREATE USER 'etl'@'%' IDENTIFIED BY 'Etl#2024';", "Etl#2024", "password"),
        ("ALTER USER etl WITH PASSWORD 'n3wpass';", "n3wpass", "password"),
        ('conn = psycopg2.connect(host="db", password="Pg!2024")', "Pg!2024", "password"),
        ('cfg = {"password": "Sup3rS3cret"}', "Sup3rS3cret", "password"),
        ("db:\n  password: hunter2\n", "hunter2", "password"),
        ("curl https://admin:Adm1nPass@nexus.local/repo", "Adm1nPass", "url-credentials"),
        ("spark.read.jdbc('postgresql://etl:pgpw2024@db:5432/dw')", "pgpw2024", "url-credentials"),
        (
            "jdbc:mysql://db:3306/sales?user=etl&password=J6bcPw&useSSL=true",
            "J6bcPw",
            "password",
        ),
        ("Server=db;Database=dw;UID=sa;PWD=MsSql2019;", "MsSql2019", "password"),
        (f"aws configure set aws_access_key_id {AWS_KEY}", AWS_KEY, "aws-access-key"),
        ("aws_secret_access_key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY'", "wJalrXUtnFEMI", "secret"),
        ("API_KEY=9f8e7d6c5b4a", "9f8e7d6c5b4a", "secret"),
        ('requests.get(url, headers={"api-key": "k-12345678"})', "k-12345678", "secret"),
        # the more specific kind wins when two rules see the same value
        (f"git clone https://x:{GH_TOKEN}@github.com/o/r", GH_TOKEN, "token"),
        (f"TOKEN={GH_TOKEN}", GH_TOKEN, "token"),
        (f"echo {GH_TOKEN} | gh auth login --with-token", GH_TOKEN, "token"),
        (f"curl --header 'PRIVATE-TOKEN: {GL_TOKEN}' https://gitlab/api", GL_TOKEN, "token"),
        (f"client = WebClient({SLACK_TOKEN!r})", SLACK_TOKEN, "token"),
        ('curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9x" api', "eyJhbGci", "token"),
        ("hdfs dfs -put key.pem /tmp\ncat <<EOF\n" + PEM + "\nEOF", "-----BEGIN", "private-key"),
        ("# old: password=hunter2\n", "hunter2", "password"),
        ("beeline -u jdbc:hive2://h:10000 -n etl --password hive2pw", "hive2pw", "password"),
        ("sqlplus x@'jdbc:oracle:thin:scott/T1ger99@db:1521/ORCL'", "T1ger99", "url-credentials"),
        (f'curl -H "token: {DS_TOKEN}" http://ds:12345/dolphinscheduler/projects', DS_TOKEN,
         "ds-token"),
        (f"requests.get(url, params={{'token': '{DS_TOKEN}'}})", DS_TOKEN, "ds-token"),
    ],
)
def test_finds_credentials(text: str, secret: str, kind: str) -> None:
    hits = find_credentials(text)
    assert [(h.offset, h.kind) for h in hits] == [(text.index(secret), kind)]
    assert secret not in hits[0].message


@pytest.mark.parametrize(
    "text",
    [
        "export PGPASSWORD=${db_password}",
        '"password": "pwd"',  # a value that only repeats the key's name (DataX job templates)
        "export PGPASSWORD=$[db_password]",
        "export PGPASSWORD=$ENV{PGPASSWORD}",
        "export PGPASSWORD=$VAR{db_password}",
        'export PGPASSWORD="$(vault kv get -field=pw secret/etl)"',
        "psql -h db -U etl  # reads $PGPASSWORD from the environment",
        'PGPASSWORD="$DB_PASSWORD" psql -h db',
        "mysql -uroot -p${MYSQL_PWD} -e 'select 1'",
        "mysql -uroot -p -e 'select 1'",
        "psql -h db -p 5432 -U etl && mkdir -p /tmp/out",
        "CREATE USER 'etl'@'%' IDENTIFIED BY '${etl_password}';",
        'password = os.environ["DB_PASSWORD"]',
        'password = os.getenv("DB_PASSWORD")',
        'token = Variable.get("slack_token")',
        "conn = psycopg2.connect(host=host, password=db_password)",
        "conn = connect(user=user, password=pw)",
        "password = pw",
        "def connect(password: str) -> None: ...",
        'cur.execute("insert into t values (%s)", (password,))',
        'sql = "update users set password=%(password)s where id=%(id)s"',
        "password={{ password }}",
        "password=<your password here>",
        "password=***",
        "password=xxxxxx",
        "password=changeme",
        "password=",
        'password=""',
        "# rotate the password every 90 days; the token expires daily",
        "echo 'Password: enter it at the prompt'",
        "tokenizer=bert-base-uncased max_tokens=512 passwordless=true",
        "export PASSWORD_FILE=/etc/etl/pw && export SECRET_NAME=etl-db",
        "cd /data && OLDPWD=/home/etl",
        "if password == expected: pass",
        "curl https://nexus.local/repo/artifact.jar -o a.jar",
        "git clone https://${GIT_USER}:${GIT_TOKEN}@gitlab/o/r",
        "jdbc:mysql://db:3306/sales?user=etl&password=${db_password}",
        "aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE",
        "token_count = len(tokens)",
        'curl -H "Authorization: Bearer $TOKEN" api',
        "kinit -kt etl.keytab etl@REALM",
        "md5sum=5f4dcc3b5aa765d61d8327deb882cf99",  # 32 hex digits without a token key
        "jdbc:oracle:thin:@db:1521/ORCL",  # no user/password in the URL
        "jdbc:oracle:thin:scott/${ora_password}@db:1521/ORCL",
    ],
)
def test_ignores_references_placeholders_and_prose(text: str) -> None:
    assert find_credentials(text) == []


def test_messages_say_how_to_fix() -> None:
    (hit,) = find_credentials("export PGPASSWORD=hunter2")
    assert hit == CredentialHit(
        18,
        "password",
        "password literal in the script: pass it as a DolphinScheduler parameter "
        "(`${db_password}`), `$ENV{DB_PASSWORD}`, or use a datasource instead",
    )


def test_several_hits_sorted_and_one_per_value() -> None:
    text = (
        "export PGPASSWORD=hunter2\n"
        "psql postgresql://etl:pw2024@db/dw\n"
        f"AWS_ACCESS_KEY_ID={AWS_KEY}\n"
    )
    hits = find_credentials(text)
    assert [(h.offset, h.kind) for h in hits] == [
        (text.index("hunter2"), "password"),
        (text.index("pw2024"), "url-credentials"),
        (text.index(AWS_KEY), "aws-access-key"),
    ]


def test_empty_text() -> None:
    assert find_credentials("") == []


def test_allow_marker_is_per_line() -> None:
    from deployer.definitions.secrets import allowed_at

    text = "export PGPASSWORD=hunter2  # dagship: allow-secret (test fixture)\nX_TOKEN=abcd1234\n"
    first, second = find_credentials(text)
    assert allowed_at(text, first.offset)
    assert not allowed_at(text, second.offset)
