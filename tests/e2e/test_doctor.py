# SPDX-License-Identifier: Apache-2.0
"""gdreport doctor end to end against the fake AWS: static env keys, an
assume-role profile (regional STS checked in the fake's stats), IMDSv2, and
failures (bad secret, MFA profile, usage)."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

FAILURES = []


def check(cond, what, cp=None):
    if cond:
        print("ok   %s" % what)
        return
    FAILURES.append(what)
    print("FAIL %s" % what)
    if cp is not None:
        print("  exit %s\n  stdout:\n%s\n  stderr:\n%s" % (cp.returncode, cp.stdout, cp.stderr))


def doctor(args, env):
    return gdtest.run_gdreport(["doctor"] + args, env, timeout=120)


def case_static_env(fake):
    env = gdtest.gd_env(fake)
    cp = doctor([], env)
    out = cp.stdout + cp.stderr
    check(cp.returncode == 0, "static env keys: exit 0", cp)
    check("[ok]     credentials  environment, access key AKID\u20260001" in cp.stdout,
          "static env keys: source and masked key shown", cp)
    check("[ok]     identity     account " in cp.stdout, "static env keys: caller identity", cp)
    check("[ok]     guardduty    ListDetectors in us-east-1" in cp.stdout,
          "static env keys: ListDetectors in the home region", cp)
    check(fake.secret_access_key not in out and fake.access_key_id not in out,
          "static env keys: neither the secret nor the full key id printed", cp)


def case_assume_role(fake, tmp):
    cfg = os.path.join(tmp, "config")
    creds = os.path.join(tmp, "credentials")
    with open(cfg, "w") as fh:
        fh.write("[profile base]\nregion = us-west-2\n"
                 "[profile gd-admin]\nrole_arn = arn:aws:iam::111122223333:role/GdAdmin\n"
                 "source_profile = base\nrole_session_name = doctor-e2e\n")
    with open(creds, "w") as fh:
        fh.write("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                 % (fake.access_key_id, fake.secret_access_key))
    env = gdtest.gd_env(fake, AWS_CONFIG_FILE=cfg, AWS_SHARED_CREDENTIALS_FILE=creds,
                        AWS_REGION="eu-west-1")
    fake.reset_stats()
    cp = doctor(["--profile", "gd-admin"], env)
    check(cp.returncode == 0, "assume-role: exit 0", cp)
    check("assume-role arn:aws:iam::111122223333:role/GdAdmin via profile base" in cp.stdout,
          "assume-role: source names the role and the source profile", cp)
    check("assumed-role/GdAdmin/doctor-e2e" in cp.stdout, "assume-role: identity is the role", cp)
    calls = fake.stats()["assume_role_calls"]
    check(len(calls) == 1 and calls[0]["region"] == "eu-west-1",
          "assume-role: STS called once in the home region eu-west-1 (regional STS): %r" % calls)
    check(fake.secret_access_key not in cp.stdout + cp.stderr, "assume-role: no secret printed", cp)


def case_imds(fake):
    env = gdtest.gd_env(fake, AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
                        AWS_EC2_METADATA_DISABLED=None,
                        AWS_EC2_METADATA_SERVICE_ENDPOINT=fake.url)
    fake.reset_stats()
    cp = doctor(["--region", "us-west-2"], env)
    check(cp.returncode == 0, "IMDSv2: exit 0", cp)
    check("EC2 instance metadata (IMDSv2, role gdreport-instance-role)" in cp.stdout,
          "IMDSv2: source shows IMDSv2 and the role", cp)
    st = fake.stats()
    check(st["imds_calls"] >= 3 and st["auth_failures"].get("ImdsUnauthorized", 0) == 0,
          "IMDSv2: token, role and credentials fetched with the token header: %r" % st["imds_calls"])


def case_bad_secret(fake):
    env = gdtest.gd_env(fake, AWS_SECRET_ACCESS_KEY="not-the-right-secret-0000000000000000000")
    cp = doctor([], env)
    check(cp.returncode == 1, "bad secret: exit 1", cp)
    check("[FAILED] identity" in cp.stdout and "GetCallerIdentity" in cp.stdout,
          "bad secret: identity step FAILED with the operation named", cp)
    check("[FAILED] guardduty" in cp.stdout, "bad secret: guardduty step FAILED", cp)
    check("doctor: some checks FAILED" in cp.stdout, "bad secret: summary line", cp)
    check("not-the-right-secret" not in cp.stdout + cp.stderr, "bad secret: secret not echoed", cp)


def case_mfa_and_usage(fake, tmp):
    cfg = os.path.join(tmp, "config-mfa")
    with open(cfg, "w") as fh:
        fh.write("[profile prod]\nrole_arn = arn:aws:iam::111122223333:role/R\n"
                 "source_profile = prod\nmfa_serial = arn:aws:iam::111122223333:mfa/me\n"
                 "aws_access_key_id = AKIDFAKEADMIN0000001\naws_secret_access_key = x\n")
    env = gdtest.gd_env(fake, AWS_CONFIG_FILE=cfg)
    cp = doctor(["--profile", "prod"], env)
    check(cp.returncode == 1 and
          "profile prod needs MFA (mfa_serial), not usable unattended" in cp.stdout,
          "MFA profile: clear one-line refusal", cp)
    cp = doctor(["--profile", "missing"], env)
    check(cp.returncode == 1 and "profile missing not found" in cp.stdout,
          "missing profile: named in the error", cp)
    env = gdtest.gd_env(fake, AWS_REGION=None)
    cp = doctor([], env)
    check(cp.returncode == 1 and "no region: pass --region or set AWS_REGION" in cp.stdout,
          "no region: clear error", cp)
    cp = doctor(["--bogus"], env)
    check(cp.returncode == 2, "unknown flag: exit 2", cp)
    cp = doctor(["--endpoint-url", "http://10.1.2.3:80"], gdtest.gd_env(fake))
    check(cp.returncode == 2 and "refused" in cp.stdout + cp.stderr,
          "non-loopback http endpoint refused with exit 2", cp)
    cp = gdtest.run_gdreport(["help", "doctor"], env)
    check(cp.returncode == 0 and "gdreport doctor --profile" in cp.stdout and
          "Exit status" in cp.stdout, "help doctor has examples and exit status", cp)


def main():
    gdtest.gdreport_bin()
    if not os.path.exists(gdtest.FAKEAWS):
        gdtest.skip("fake AWS not found at %s" % gdtest.FAKEAWS)
    with tempfile.TemporaryDirectory(prefix="gd-doctor-") as tmp:
        with gdtest.FakeAws(args=["--scenario", "small", "--quiet"]) as fake:
            case_static_env(fake)
            case_assume_role(fake, tmp)
            case_imds(fake)
            case_bad_secret(fake)
            case_mfa_and_usage(fake, tmp)
    if FAILURES:
        print("%d check(s) failed: %s" % (len(FAILURES), "; ".join(FAILURES)))
        return 1
    print("all doctor checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
