"""`deploy`: check the site, read and validate the record, plan, refuse or carry out.

The same steps for every destination; the destination modules only survey and apply.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reelpress.commands.check import check_site
from reelpress.commands.deploy.contract import (
    Applied,
    Backend,
    BackendError,
    DeployError,
    DeployPlan,
    DeployResult,
    Progress,
    make_plan,
    next_record,
    shown,
)
from reelpress.commands.deploy.destination import (
    DestinationError,
    FolderTarget,
    S3Target,
    SshTarget,
    looks_like_ssh,
    parse_destination,
)
from reelpress.commands.deploy.folder import FolderBackend, unsafe_folder
from reelpress.commands.deploy.ledger import (
    RECORDS_FOLDER,
    read_local_record,
    record_path,
    write_local_record,
)
from reelpress.commands.deploy.record import (
    RECORD_NAME,
    RecordError,
    parse_record,
    record_json,
    site_inventory,
)
from reelpress.commands.deploy.settings import DeploySettings


def deploy(site_dir: Path, dest: str, **options: object) -> DeployResult:
    """`deploy_result`, raising `DeployError` (carrying the result) when it did not publish."""
    result = deploy_result(site_dir, dest, **options)  # type: ignore[arg-type]
    if not result.ok:
        raise DeployError(result)
    return result


def deploy_result(
    site_dir: Path,
    dest: str,
    *,
    settings: DeploySettings | None = None,
    dry_run: bool = False,
    check: bool = True,
    overwrite: bool = False,
    force_deletes: bool = False,
    base_url: str | None = None,
    progress: Progress | None = None,
    backend: Backend | None = None,
    records: Path | None = None,
) -> DeployResult:
    """Publish `site_dir` to `dest` under the deploy contract; failures come back as data.

    `check=False` skips the link check; `overwrite` lets the deploy replace files it
    did not put there; `force_deletes` lifts `[deploy] max_deletes`. `backend` replaces
    the one `dest` names (tests use it to pass a smaller multipart part size).
    `records`: the project's folder of deploy records (default: next to `site_dir`).
    """
    settings = settings or DeploySettings()
    site_dir = Path(site_dir)
    label = dest
    try:
        target = parse_destination(dest)
        label = target.label
    except DestinationError as bad_dest:
        return DeployResult(dest, "", error=str(bad_dest))
    if not site_dir.is_dir():
        return DeployResult(label, "", error=f"no built site at {site_dir}",
                            hint="run `python build.py` first")
    report = None
    if check:
        report = check_site(site_dir, base_url=base_url)
        if not report.ok:
            return DeployResult(label, "", check_report=report, dry_run=dry_run,
                                error=f"{len(report.broken)} broken reference(s) in the site",
                                hint="fix them, or deploy anyway with --no-check")
    if isinstance(target, FolderTarget):
        unsafe = unsafe_folder(site_dir, Path(target.path))
        if unsafe:
            return DeployResult(label, "copy", error=unsafe[0], hint=unsafe[1])
    chosen = backend or _backend_for(target, settings)
    try:
        local = record_path(records or site_dir.parent / RECORDS_FOLDER, target)
        result = _run(chosen, site_dir, settings, local, dry_run=dry_run, overwrite=overwrite,
                      force_deletes=force_deletes, progress=progress)
    except BackendError as failure:
        result = DeployResult(label, chosen.method, dry_run=dry_run, error=failure.message,
                              hint=failure.hint, where=failure.where, line=failure.line)
    except OSError as failure:
        result = DeployResult(label, chosen.method, dry_run=dry_run,
                              error=f"{failure.filename or label}: {failure.strerror or failure}")
    notes = result.notes
    if isinstance(target, FolderTarget) and looks_like_ssh(dest):
        notes += (f"{dest!r} is a local folder; for SSH write host:/path, host:~/path "
                  "or ssh://host/path",)
    return replace(result, check_report=report, notes=notes)


def _backend_for(target: FolderTarget | SshTarget | S3Target,
                 settings: DeploySettings) -> Backend:
    if isinstance(target, SshTarget):
        from reelpress.commands.deploy.ssh import SshBackend
        return SshBackend(target, settings.ssh_command)
    if isinstance(target, S3Target):
        from reelpress.commands.deploy.objects import S3Backend
        return S3Backend(target, settings)
    return FolderBackend(Path(target.path))


def _run(backend: Backend, site_dir: Path, settings: DeploySettings, local: Path, *,
         dry_run: bool, overwrite: bool, force_deletes: bool,
         progress: Progress | None) -> DeployResult:
    """`local`: this destination's record in the project (`ledger`)."""
    record_text, where, legacy = read_local_record(local), str(local), False
    if record_text is None:  # never deployed from here: an older reelpress's, at DEST?
        record_text = backend.read_record()
        where, legacy = _record_label(backend), record_text is not None
    try:
        record = parse_record(record_text) if record_text is not None else {}
    except RecordError as bad:
        raise BackendError(
            f"deploy record rejected: {bad.message}; nothing was changed",
            "the record lists only files inside the destination: fix or remove that entry "
            "(removing the whole record makes the next deploy adopt identical files)",
            where, bad.line) from None
    files = site_inventory(site_dir)
    survey = backend.survey(site_dir, files, record)
    plan = make_plan(files, record, survey)
    planned = DeployResult(backend.label, backend.method, copied_paths=plan.upload,
                           unchanged=len(plan.unchanged), deleted_paths=plan.delete,
                           dry_run=dry_run)
    refusal = _refusal(plan, settings, overwrite=overwrite, force_deletes=force_deletes)
    if refusal:
        return replace(planned, error=refusal[0], hint=refusal[1])
    if dry_run:
        return planned
    if not plan.upload and not plan.delete and not legacy and record_text == record_json(
            next_record(files, record, Applied((), ()), survey, plan)):
        return planned  # in sync, record included: write nothing at all
    applied = backend.apply(plan, files, site_dir, progress)
    write_local_record(local, record_json(next_record(files, record, applied, survey, plan)))
    if legacy:
        backend.remove_record()  # the project holds it now: nothing of ours is served
    notes = ((f"removed {len(applied.swept)} temporary file(s) left by an interrupted deploy",)
             if applied.swept else ())
    done = replace(planned, copied_paths=applied.uploaded, deleted_paths=applied.deleted,
                   notes=notes)
    if applied.failed:
        return replace(done, error=f"could not upload {len(applied.failed)} file(s): "
                       f"{applied.failure}", hint="the next deploy retries them")
    return done


def _refusal(plan: DeployPlan, settings: DeploySettings, *, overwrite: bool,
             force_deletes: bool) -> tuple[str, str] | None:
    if plan.conflicts and not overwrite:
        return (f"would overwrite {len(plan.conflicts)} file(s) it did not deploy: "
                f"{shown(plan.conflicts)}",
                "deploy into an empty folder, or use --overwrite to replace them")
    if len(plan.delete) > settings.max_deletes and not force_deletes:
        return (f"would delete {len(plan.delete)} file(s), more than [deploy] max_deletes = "
                f"{settings.max_deletes}: {shown(plan.delete)}",
                "check the plan with --dry-run, then deploy with --force-deletes "
                "(or raise max_deletes)")
    return None


def _record_label(backend: Backend) -> str:
    label = backend.label
    return label + RECORD_NAME if label.endswith("/") else f"{label}/{RECORD_NAME}"
