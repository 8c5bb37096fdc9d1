"""What a route handler gets: the sandbox's state, the request's parameters and who sent it.

Its own module so that handler modules (lookups, schedules, workflows) can name it without
importing the route table that imports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deployer.sandbox.generation import Generation
from deployer.sandbox.params import Params
from deployer.sandbox.store import State


@dataclass
class Ctx:
    st: State
    p: Params
    user_id: int = 0
    cookies: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # multipart parts

    @property
    def gen(self) -> Generation:
        return self.st.gen
