"""The sandbox's side: runs a student's answer cells and their functions, and answers with data only.

Started by tools/grading/sandbox.py as `python worker.py` (inside the isolation when there is one), with the
channel on stdin/stdout. It is a zygote: it imports numpy and torch once, then for each notebook it forks a child
that owns the channel until it ends; the zygote then reports how the child ended and waits for the next notebook.
Student code runs only in the children. Messages (tools/grading/wire.py), grader -> child, each answered once:
  {"op": "exec", "source": ...}           run a cell's code: {"ok": true} or {"ok": false, "error": "Type: text"}
  {"op": "get", "names": [...]}           the values of names, encoded; a function becomes {"$function": id}
  {"op": "call", "function": id, "args", "kwargs"}   call it; the result, and the networks and optimizers among the
                                          arguments after the call ("updated"), since the call changed them here
  {"op": "end"}                           the child exits
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire

OUTPUT_LIMIT = 20_000


class _Tail(io.TextIOBase):
    """A stdout / stderr that keeps only the last characters written (a student may print a lot)."""

    def __init__(self):
        self.text = ""

    def writable(self):
        return True

    def write(self, s):
        self.text = (self.text + str(s))[-OUTPUT_LIMIT:]
        return len(s)


def _error(e: BaseException) -> str:
    text = str(e).splitlines()[0] if str(e) else ""
    return f"{type(e).__name__}: {text}"[:500]


class Child:
    def __init__(self, channel_in, channel_out):
        self.cin, self.cout = channel_in, channel_out
        self.ns = {"__name__": "__main__", "__builtins__": __builtins__}
        self.functions: list = []

    def send(self, header, enc=None):
        self.cout.write(wire.pack(header, enc.blobs if enc else []))
        self.cout.flush()

    def serve(self):
        while True:
            try:
                header, blobs = wire.read(self.cin)
            except EOFError:
                os._exit(0)
            op = header.get("op")
            if op == "end":
                os._exit(0)
            try:
                getattr(self, f"op_{op}")(header, blobs)
            except Exception as e:
                self.send({"ok": False, "error": _error(e), "internal": True})

    def _captured(self, fn):
        out = _Tail()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                return fn(), None, out.text
            except BaseException as e:
                return None, e, out.text

    def op_exec(self, header, blobs):
        code = header["source"]
        _, error, output = self._captured(lambda: exec(compile(code, header.get("cell", "<cell>"), "exec"), self.ns))
        self.send({"ok": error is None, "error": _error(error) if error else None, "output": output[-2000:]})

    def op_get(self, header, blobs):
        enc = wire.Encoder()
        values = {}
        for name in header["names"]:
            if name not in self.ns:
                values[name] = {"$undefined": True}
                continue
            value = self.ns[name]
            if isinstance(value, types.ModuleType):
                values[name] = {"$module": True}
            elif callable(value) and not _is_module_object(value):
                self.functions.append(value)
                values[name] = {"$function": len(self.functions) - 1, "name": getattr(value, "__name__", name)}
            else:
                try:
                    values[name] = enc.encode(value)
                except (wire.Unsendable, RecursionError) as e:
                    values[name] = {"$unsendable": str(e)[:200]}
        self.send({"ok": True, "values": values}, enc)

    def op_call(self, header, blobs):
        dec = wire.Decoder(blobs)
        args = dec.decode(header["args"])
        kwargs = dec.decode(header["kwargs"])
        fn = self.functions[int(header["function"])]
        result, error, output = self._captured(lambda: fn(*args, **kwargs))
        if error is not None:
            self.send(
                {
                    "ok": False,
                    "error": _error(error),
                    "type": type(error).__name__,
                    "message": str(error)[:2000],
                    "output": output[-2000:],
                }
            )
            return
        enc = wire.Encoder()
        try:
            value = enc.encode(result)
        except (wire.Unsendable, RecursionError) as e:
            self.send(
                {
                    "ok": False,
                    "unsendable": True,
                    "type": "TypeError",
                    "message": f"the function returned something the grader cannot read: {str(e)[:200]}",
                    "error": "unsendable",
                }
            )
            return
        updated = [[i, {k: enc.encode(v) for k, v in m.state_dict().items()}, None] for i, m in enumerate(dec.models)]
        opts = [a for a in list(args) + list(kwargs.values()) if isinstance(a, _optimizer_type())]
        for opt in opts:
            owner = next(
                i
                for i, m in enumerate(dec.models)
                if next(iter(m.parameters()), None) is opt.param_groups[0]["params"][0]
            )
            counts = {k: int(getattr(opt, k)) for k in wire.COUNTS if isinstance(getattr(opt, k, None), int)}
            updated.append([owner, None, {"state": enc.encode(opt.state_dict()), "counts": counts}])
        self.send({"ok": True, "result": value, "updated": updated}, enc)


def _optimizer_type():
    import torch

    return torch.optim.Optimizer


def _is_module_object(value) -> bool:
    """A torch network is callable but is a value (sent as its description), not a function."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, (torch.nn.Module, torch.Tensor))


def _address_space() -> int:
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize"))
    except (OSError, StopIteration, ValueError):
        return 0


def limits(extra_memory: int, file_bytes: int) -> None:
    """What a notebook may take: `extra_memory` bytes of address space above what numpy and torch hold already
    (Linux; macOS does not enforce RLIMIT_AS), files up to `file_bytes`, no core dumps."""
    base = _address_space()
    if extra_memory and base:
        resource.setrlimit(resource.RLIMIT_AS, (base + extra_memory, base + extra_memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    if os.environ.get("SANDBOX_OWN_UID"):  # counted per uid: only where the uid is the sandbox's own
        resource.setrlimit(resource.RLIMIT_NPROC, (256, 256))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def zygote(memory_bytes: int, file_bytes: int) -> None:
    # unbuffered: a read ahead into a buffer would leave a child's message in the zygote's buffer
    cin, cout = os.fdopen(sys.stdin.fileno(), "rb", buffering=0), sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not enter the channel
    import numpy  # noqa: F401 - imported once here, shared by every child
    import torch

    torch.set_num_threads(1)
    home = os.getcwd()
    cout.write(wire.pack({"op": "ready", "pid": os.getpid()}))
    cout.flush()
    while True:
        try:
            header, _ = wire.read(cin)
        except EOFError:
            return
        if header.get("op") != "fork":
            return
        work = os.path.join(home, f"nb{header.get('n', 0)}")
        os.makedirs(work, exist_ok=True)
        pid = os.fork()
        if pid == 0:
            try:
                os.chdir(work)
                # no setsid: the child stays in the zygote's process group, so the grader's killpg ends both
                # (without namespaces, a child in its own session outlived a timed-out call, spinning on)
                limits(memory_bytes, file_bytes)
                Child(cin, cout).serve()
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        cout.write(wire.pack({"op": "exited", "code": code}))
        cout.flush()


if __name__ == "__main__":
    zygote(int(sys.argv[1]), int(sys.argv[2]))
