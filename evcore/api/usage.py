"""``POST /datasets/{id}/usage``: live usage appended to a saved dataset (a station's day or hour
already there replaced), from files in any usage layout or from JSON rows."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from evcore.api.deps import CallerDep, DatasetsDep, WorkspaceDep, needs
from evcore.api.routes import ERRORS, dataset_detail
from evcore.api.schemas import DatasetDetail
from evcore.errors import InputError

router = APIRouter()

_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["files"], "properties": {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": "usage files, any usage layout the upload reads"}}}},
    "application/json": {"schema": {"type": "object", "required": ["rows"], "properties": {"rows": {
        "type": "array", "items": {"type": "object", "required": ["station_id", "usage"], "properties": {
            "station_id": {"type": "string"},
            "date": {"type": "string", "description": "a day, YYYY-MM-DD (or give time)"},
            "time": {"type": "string", "description": "an hour, YYYY-MM-DD HH:MM local time (or give date)"},
            "usage": {"type": "number", "minimum": 0, "description": "in the dataset's unit"}}}}}}}}}}


@router.post("/datasets/{dataset_id}/usage", response_model=DatasetDetail, responses=ERRORS,
             dependencies=[needs("analyst")], openapi_extra=_BODY)
async def append_usage(request: Request, dataset_id: str, workspace: WorkspaceDep, datasets: DatasetsDep,
                       who: CallerDep):
    """Append usage: new days or hours added, a station's day or hour already there replaced
    (never counted twice). Answers the dataset's summary, whose ``end`` is the new last day."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form()
        files = [(upload.filename or "the uploaded file", upload.file)
                 for upload in form.getlist("files") if isinstance(upload, UploadFile)]
        if not files:
            raise InputError("files: expected one or more usage files in the multipart field 'files'.")

        def append():
            from evcore.appending import measure_of
            from evcore.uploads import APPEND, files_on_disk, save_uploads

            with files_on_disk(files) as on_disk:  # a large one: read in a worker process
                save_uploads(workspace, on_disk, APPEND, dataset_id=dataset_id, by=who.name,
                             measure=measure_of(workspace.info(dataset_id)["usage_unit"]))
    elif kind == "application/json":
        body = await request.body()

        def append():
            workspace.append_usage(dataset_id, _from_json(body, workspace.info(dataset_id)["usage_unit"]),
                                   by=who.name)
    else:
        raise InputError("Expected multipart/form-data with usage files, or application/json with "
                         '{"rows": [{"station_id", "date" or "time", "usage"}]}.')

    def work():
        append()
        return dataset_detail(workspace, datasets, dataset_id)

    return await run_in_threadpool(work)  # reading and merging is CPU work: off the event loop


def _from_json(body: bytes, unit: str):
    from evcore.appending import usage_from_rows

    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError('The body is not valid JSON: expected {"rows": [...]}.') from None
    if not isinstance(payload, dict) or not isinstance(payload.get("rows"), list):
        raise InputError('Expected a JSON object {"rows": [{"station_id", "date" or "time", "usage"}]}.')
    return usage_from_rows(payload["rows"], unit=unit)
