"""``users``: the workspace's users and their roles (viewer, analyst, admin), and API tokens."""

from __future__ import annotations

import sys

from evcore.cli.common import add_json_flag, log, print_json
from evcore.errors import InputError


def add_parser(sub, formatter) -> None:
    p = sub.add_parser("users", help="manage the workspace's users, roles and API tokens",
                       description="Users of the workspace (dashboard sign-in, API bearer tokens). With no user "
                                   "defined the dashboard and the API are open (EVCORE_API_TOKEN, when set, still "
                                   "guards the API). Roles: viewer reads; analyst also writes datasets and runs "
                                   "computations; admin also manages users.",
                       formatter_class=formatter)
    p.add_argument("--workspace", help="the workspace folder (default: EVCORE_WORKSPACE or data/workspace)")
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p), help="what to do")
    add = actions.add_parser("add", help="add a user", formatter_class=formatter)
    add.add_argument("name", help="the user's name (letters, digits, . _ @ + -; an e-mail address works)")
    add.add_argument("--role", required=True, choices=("viewer", "analyst", "admin"), help="what the user may do")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of stdin (without it: asked for on a "
                          "terminal, else the user signs in with API tokens only)")
    listing = actions.add_parser("list", help="list the users and their roles", formatter_class=formatter)
    add_json_flag(listing)
    remove = actions.add_parser("remove", help="remove a user (their tokens stop working)", formatter_class=formatter)
    remove.add_argument("name")
    token = actions.add_parser("token", help="print a new API token for the user, once (only its hash is kept)",
                               formatter_class=formatter)
    token.add_argument("name")
    p.set_defaults(func=run)


def run(args) -> int:
    from evcore.users import Users
    from evcore.workspace import Workspace

    folder = args.workspace or args.settings.workspace
    users = Users(Workspace(folder))
    if args.action == "add":
        user = users.add(args.name, args.role, _password(args.password_stdin))
        log(f"added {user['name']} ({user['role']})" + ("" if user["password"] else
                                                        "; no password: signs in with tokens only ('users token')"))
    elif args.action == "list":
        listed = users.list()
        if args.json:
            print_json({"users": listed})
        else:
            for user in listed:
                print(f"{user['name']}\t{user['role']}\tpassword: {'yes' if user['password'] else 'no'}\t"
                      f"tokens: {user['tokens']}\tadded {user['created'][:16].replace('T', ' ')} UTC")
            if not listed:
                log("no users: the dashboard and the API are open (add one with 'users add NAME --role admin')")
    elif args.action == "remove":
        users.remove(args.name)
        log(f"removed {args.name} and their tokens")
    else:
        token = users.new_token(args.name)
        log(f"a new API token for {args.name} (shown once; send it as 'Authorization: Bearer <token>'):")
        print(token, flush=True)
    return 0


def _password(from_stdin: bool) -> str | None:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        import getpass

        password = getpass.getpass("Password (empty: tokens only): ")
        if password and getpass.getpass("Again: ") != password:
            raise InputError("The two passwords differ: nothing was changed.")
    else:
        return None
    if from_stdin and not password:
        raise InputError("--password-stdin: the first line of stdin is empty: expected the password.")
    if password and len(password) < 8:
        raise InputError("The password is shorter than 8 characters: expected a longer one.")
    return password or None
