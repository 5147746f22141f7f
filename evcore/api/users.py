"""The workspace's users over the API (admins only), as ``python -m evcore users`` manages them."""

from __future__ import annotations

from fastapi import APIRouter, Response

from evcore.api.deps import WorkspaceDep, needs
from evcore.api.routes import ERRORS
from evcore.api.schemas import NewToken, NewUser, User
from evcore.users import Users

router = APIRouter(dependencies=[needs("admin")])


@router.get("/users", response_model=list[User], responses=ERRORS)
def list_users(workspace: WorkspaceDep):
    return Users(workspace).list()


@router.post("/users", status_code=201, response_model=User, responses=ERRORS)
def add_user(workspace: WorkspaceDep, body: NewUser):
    return Users(workspace).add(body.name, body.role, body.password)


@router.delete("/users/{name}", status_code=204, responses=ERRORS)
def remove_user(workspace: WorkspaceDep, name: str):
    Users(workspace).remove(name)
    return Response(status_code=204)


@router.post("/users/{name}/tokens", status_code=201, response_model=NewToken, responses=ERRORS)
def new_token(workspace: WorkspaceDep, name: str):
    return {"name": name, "token": Users(workspace).new_token(name)}
