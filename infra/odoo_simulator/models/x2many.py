"""One2many and many2many commands ((0, 0, vals), (4, id), (6, 0, ids)...) applied to one record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import value_error
from ..fields import Field
from .records import RecordsCore

if TYPE_CHECKING:
    from .base import BaseModel


class X2ManyRecords(RecordsCore):
    def _apply_x2many(self, rid: int, fld: Field, commands: Any) -> None:
        comodel = self.env[fld.relation or ""]
        if commands is False or commands is None:
            commands = [(5, 0, 0)]
        if isinstance(commands, (list, tuple)) and commands and all(isinstance(c, int) for c in commands):
            commands = [(6, 0, list(commands))]
        for command in commands or []:
            if not isinstance(command, (list, tuple)) or not command:
                raise value_error(f"Invalid command {command!r} for field {self._name}.{fld.name}")
            if fld.type == "many2many":
                self._many2many_command(rid, fld, comodel, list(command))
            else:
                self._one2many_command(rid, fld, comodel, list(command))

    def _linked(self, rid: int, fld: Field) -> list[int]:
        return list(self._table()[rid].get(fld.name) or [])

    def _many2many_command(self, rid: int, fld: Field, comodel: BaseModel, command: list[Any]) -> None:
        code = command[0]
        current = self._linked(rid, fld)
        target = command[1] if len(command) > 1 else 0
        if code == 0:
            current.append(comodel.create(command[2]).ids[0])
        elif code == 1:
            comodel.browse([target]).write(command[2])
        elif code == 2:
            comodel.browse([target]).unlink()
            current = [i for i in current if i != target]
        elif code == 3:
            current = [i for i in current if i != target]
        elif code == 4:
            comodel.browse([target])._ensure_exist()
            current = current if target in current else [*current, target]
        elif code == 5:
            current = []
        elif code == 6:
            ids = list(command[2] or [])
            comodel.browse(ids)._ensure_exist()
            current = list(dict.fromkeys(ids))
        else:
            raise value_error(f"Invalid command {tuple(command)!r}")
        self.env.store.update(self._name, rid, {fld.name: current})

    def _one2many_command(self, rid: int, fld: Field, comodel: BaseModel, command: list[Any]) -> None:
        code = command[0]
        inverse = fld.inverse_name or ""
        target = command[1] if len(command) > 1 else 0
        if code == 0:
            comodel.create({**(command[2] or {}), inverse: rid})
        elif code == 1:
            comodel.browse([target]).write(command[2])
        elif code == 2:
            comodel.browse([target]).unlink()
        elif code == 3:
            comodel.browse([target])._write_values({inverse: False})
        elif code == 4:
            comodel.browse([target])._write_values({inverse: rid})
        elif code == 5:
            comodel.browse(self._one2many_ids(rid, fld))._write_values({inverse: False})
        elif code == 6:
            keep = list(command[2] or [])
            stale = [cid for cid in self._one2many_ids(rid, fld) if cid not in keep]
            comodel.browse(stale)._write_values({inverse: False})
            comodel.browse(keep)._write_values({inverse: rid})
        else:
            raise value_error(f"Invalid command {tuple(command)!r}")
