"""Traceability is never wrong: a marker never claims a commit that does not hold what was
deployed. Before, a deploy from an edited working tree recorded HEAD, and `status` then said
"in sync (HEAD)" for a definition that was never committed."""

from __future__ import annotations

import json

from tests.helpers.deploy_env import PROJECT, Env, wf_yaml
from tests.helpers.gitrun import commit_all, git

REFUSED = "the working tree differs from commit"


def _repo(env: Env) -> str:
    git("init", "-q", cwd=env.root)
    (env.root / ".gitignore").write_text("*.local.yaml\n", encoding="utf-8")
    env.write("etl", wf_yaml("etl"))
    env.write("other", wf_yaml("other"))
    return commit_all(env.root, "feat: etl")


def _marker_commit(env: Env, name: str) -> str:
    wf = env.remote(name)
    assert wf is not None
    return str(wf["description"]).split()[-2]


def test_a_deploy_of_an_edited_file_is_refused_and_sends_nothing(env: Env) -> None:
    head = _repo(env)
    env.write("etl", wf_yaml("etl", [("a", "echo edited", ())]))
    served = env.sb.request_count
    res = env.run("deploy", "--no-progress")
    assert res.code == 1
    assert res.err.endswith(
        f"dagship: error: {REFUSED} {head[:7]} in what this deploy would ship, so its markers "
        "could not say where the definitions came from; nothing was sent:\n"
        "  workflows/etl.yaml (modified)\n"
        f"commit the changes, or pass --allow-dirty to deploy them anyway (the markers then "
        f"record {head[:7]}+dirty)\n")
    assert env.sb.request_count == served
    assert env.sb.state.project(PROJECT) is None


def test_new_ignored_and_side_files_count_and_other_files_do_not(env: Env) -> None:
    _repo(env)
    (env.root / "scripts").mkdir()
    (env.root / "scripts" / "load.sh").write_text("echo load\n", encoding="utf-8")
    env.write("side", wf_yaml("side", [("a", '$FILE{"../scripts/load.sh"}', ())]))
    commit_all(env.root, "feat: side")
    (env.root / "scripts" / "load.sh").write_text("echo load --full\n", encoding="utf-8")
    env.write("fresh", wf_yaml("fresh"))
    env.write("mine.local", wf_yaml("mine"))  # ignored by .gitignore, read all the same
    (env.root / "notes.txt").write_text("not shipped\n", encoding="utf-8")
    (env.root / "workflows" / "etl.yaml~").write_text("an editor's backup\n", encoding="utf-8")
    res = env.run("deploy", "--no-progress")
    assert res.code == 1
    listed = res.err.split("nothing was sent:\n", 1)[1].split("\ncommit the changes", 1)[0]
    assert listed.splitlines() == ["  scripts/load.sh (modified)",
                                   "  workflows/fresh.yaml (untracked)",
                                   "  workflows/mine.local.yaml (ignored by .gitignore)"]


def test_dagship_yaml_counts_only_for_what_it_sends(env: Env) -> None:
    _repo(env)
    (env.root / "dagship.yaml").write_text(
        (env.root / "dagship.yaml").read_text() + "commit:\n  subject_max_length: 60\n",
        encoding="utf-8")
    commit_all(env.root, "chore: config")
    (env.root / "dagship.yaml").write_text(
        (env.root / "dagship.yaml").read_text().replace("subject_max_length: 60",
                                                        "subject_max_length: 50"),
        encoding="utf-8")
    assert env.run("deploy", "--no-progress").code == 0  # commit rules ship nothing
    env.write_config("    variables: {warehouse: pg_new}\n")
    res = env.run("deploy", "--no-progress")
    assert res.code == 1
    assert "  dagship.yaml (modified)\n" in res.err


def test_allow_dirty_records_the_commit_as_dirty_and_status_never_says_head(env: Env) -> None:
    head = _repo(env)
    env.write("etl", wf_yaml("etl", [("a", "echo edited", ())]))
    res = env.run("deploy", "--no-progress", "--allow-dirty")
    assert res.code == 0, res.err
    assert f"Git commit {head[:7]}+dirty" in res.out
    assert _marker_commit(env, "etl") == f"{head[:7]}+dirty"
    assert _marker_commit(env, "other") == f"{head[:7]}+dirty"
    status = env.run("status", "--json", "s.json")
    assert f"Git at {head[:7]} + uncommitted changes (workflows/etl.yaml (modified))" in status.out
    rows = {r["workflow"]: r for r in json.loads((env.root / "s.json").read_text())["workflows"]}
    assert rows["etl"]["commit_relation"] == "HEAD + uncommitted changes"
    assert "(HEAD)" not in status.out
    # Committing the change: the definition is the same, the marker now names the commit.
    new = commit_all(env.root, "feat: edit")
    plan = env.run("plan")
    assert ("  ~ workflow etl  (update in place: records the commit; it was deployed from "
            f"uncommitted changes ({head[:7]}+dirty))") in plan.out
    assert env.run("deploy", "--no-progress").code == 0
    assert _marker_commit(env, "etl") == new[:7]
    status = env.run("status", "--json", "s.json")
    rows = {r["workflow"]: r for r in json.loads((env.root / "s.json").read_text())["workflows"]}
    assert (rows["etl"]["sync"], rows["etl"]["commit_relation"]) == ("in sync", "HEAD")
    assert env.run("plan").out.count("No changes") == 1


def test_a_plan_of_a_dirty_tree_says_so_and_is_not_refused(env: Env) -> None:
    head = _repo(env)
    env.write("etl", wf_yaml("etl", [("a", "echo edited", ())]))
    res = env.run("plan")
    assert res.code == 0
    assert res.out.splitlines()[:2] == [
        f"Target staging: project {PROJECT} (to be created), Git commit {head[:7]}+dirty",
        "Uncommitted changes in what a deploy ships (it refuses them without --allow-dirty): "
        "workflows/etl.yaml (modified)"]
    assert env.run("deploy", "--no-progress", "--dry-run").code == 0  # sends nothing


def test_rollback_ships_the_refs_files_so_an_edited_tree_does_not_matter(env: Env) -> None:
    _repo(env)
    git("tag", "v1", cwd=env.root)
    env.write("etl", wf_yaml("etl", [("a", "echo edited", ())]))
    res = env.run("rollback", "--to", "v1", "--no-progress")
    assert res.code == 0, res.err
    env.write_config("    variables: {warehouse: pg_new}\n")
    res = env.run("rollback", "--to", "v1", "--no-progress")
    assert res.code == 1
    assert "  dagship.yaml (modified)\n" in res.err
    assert env.run("rollback", "--to", "v1", "--no-progress", "--allow-dirty").code == 0


def test_rollback_findings_name_the_refs_file(env: Env) -> None:
    _repo(env)
    env.write("etl", wf_yaml("etl") + "    fail_retry_time: 3\n")
    commit_all(env.root, "feat: broken", tag="v2")
    env.write("etl", wf_yaml("etl"))
    commit_all(env.root, "fix: etl")
    res = env.run("rollback", "--to", "v2", "--no-progress")
    assert res.code == 1
    assert "v2:workflows/etl.yaml:11:5: WF102 " in res.err
    assert "\nworkflows/etl.yaml:" not in "\n" + res.err
