"""Reading MCP client configuration files: the only I/O of the MCP ingester.

Finds the ``.json`` files under the paths given (also inside the hidden editor folders
``.cursor``, ``.vscode``, ``.codeium``, ``.gemini`` where clients keep them; never inside
``.git`` or ``node_modules``), reads each within the size limit as JSON with comments
(JSONC: ``//`` and ``/* */`` comments and trailing commas, which VS Code allows in its
``mcp.json``), and finds its servers: ``mcpServers`` (Claude Desktop, Cursor, Windsurf,
Claude Code's ``.mcp.json``, Gemini CLI), ``servers`` plus ``inputs`` (VS Code's
``mcp.json``) or ``mcp.servers`` / ``mcp.inputs`` (VS Code's ``settings.json``). The client
is told by the file's name and folder. A file of another shape is a skip with its reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph.errors import InputError

from ..files import Skip, json_loads, read_text

#: Hidden folders where MCP clients keep their configuration (searched; others are not).
CLIENT_FOLDERS = {".cursor": "cursor", ".vscode": "vscode", ".codeium": "windsurf",
                  ".windsurf": "windsurf", ".gemini": "gemini-cli", ".claude": "claude-code",
                  ".roo": "roo-code", ".amazonq": "amazon-q"}
#: File names that tell the client by themselves.
CLIENT_FILES = {"claude_desktop_config.json": "claude-desktop", ".mcp.json": "claude-code",
                "mcp_config.json": "windsurf"}
_NEVER = {".git", "node_modules", ".venv", "__pycache__"}


def collect_configs(roots: list) -> list[Path]:
    """``.json`` files under the given files and folders (a file named explicitly is taken
    whatever its name); a folder holding none is the user's error."""
    out: list[Path] = []
    for raw in roots:
        p = Path(raw)
        if p.is_file():
            out.append(p)
            continue
        if not p.is_dir():
            raise InputError("no such file or folder", str(p))
        found = []
        for f in sorted(p.rglob("*.json")):
            rel = f.relative_to(p).parts[:-1]
            if any(part in _NEVER or (part.startswith(".") and part not in CLIENT_FOLDERS)
                   for part in rel):
                continue
            if f.is_file():
                found.append(f)
        if not found:
            raise InputError("no .json files in the folder", str(p))
        out.extend(found)
    return out


def strip_jsonc(text: str) -> str:
    """JSON text without ``//`` and ``/* */`` comments and trailing commas (strings kept
    as they are; a comment becomes spaces so line and column numbers still match)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(c if c == "\n" else " " for c in text[i:j]))
            i = j
        elif ch in "}]":
            k = len(out) - 1
            while k >= 0 and (out[k].isspace() or out[k] == ""):
                k -= 1
            if k >= 0 and out[k] == ",":
                out[k] = " "
            out.append(ch)
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def load_config(path: Path, max_bytes: int) -> Any:
    text = read_text(path, max_bytes)
    try:
        return json_loads(strip_jsonc(text))
    except json.JSONDecodeError as exc:
        raise Skip(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None


def servers_of(doc: Any) -> tuple[str, dict, list]:
    """(key the servers were under, servers by name, VS Code inputs) of a config file."""
    if not isinstance(doc, dict):
        raise Skip(f"not an MCP client configuration (a JSON {type(doc).__name__}, not an "
                   "object with mcpServers or servers)")
    mcp = doc.get("mcp") if isinstance(doc.get("mcp"), dict) else {}
    for key, holder, name in (("mcpServers", doc, "mcpServers"), ("servers", doc, "servers"),
                              ("mcp.servers", mcp, "servers")):
        if name not in holder:
            continue
        servers = holder[name] if holder[name] is not None else {}
        if not isinstance(servers, dict):
            raise Skip(f"{key} is a JSON {type(servers).__name__}, not an object of servers "
                       "by name")
        inputs = holder.get("inputs")
        return key, servers, inputs if isinstance(inputs, list) else []
    raise Skip("not an MCP client configuration (no mcpServers, servers or mcp.servers)")


def client_of(path: Path, key: str) -> str:
    """The client that reads this file, from its name and folder."""
    if path.name in CLIENT_FILES:
        return CLIENT_FILES[path.name]
    parent = path.parent.name
    if parent in CLIENT_FOLDERS:
        return CLIENT_FOLDERS[parent]
    if parent == "Claude":
        return "claude-desktop"
    return "vscode" if key != "mcpServers" else "mcp-client"
