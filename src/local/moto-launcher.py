"""Starts moto_server (moto 5.x) for the local AWS emulator, as src/local/moto-server.ts runs it.

Five changes to how moto_server runs, nothing else:

1. One request at a time. moto_server serves each request on its own thread, and moto's DynamoDB
   does not apply a conditional write atomically across threads: two concurrent
   `attribute_not_exists` puts could both succeed, which real DynamoDB never allows. Serving requests
   one by one makes every write atomic, as the code under test relies on (lock and rollback-ledger
   races), and costs nothing here: moto holds the GIL for each request anyway.

2. DynamoDB Query reads only what it needs. moto 5.2.1's `Table.query` starts from `all_items()`,
   which sorts every item of the table (comparing keys through `DynamoType.cast_value`), and a query
   on the table's own key then keeps the items of one partition. With a few thousand items that
   sort is ~0.1-0.3 s per Query, and it grows with the table. Query does not rely on that sort:
   - on the table key it keeps the items whose hash key equals the query's, then sorts them by range
     key (unique within a partition), so starting from that partition's items alone, which moto
     stores in `Table.items[hash_key]`, gives the same list;
   - on an index it keeps the items matching the index's key conditions, then sorts them by the
     index keys followed by the table's hash and range keys (`sorted_items`), a key unique per item,
     so the order it started from does not matter either.
   Everything else of moto's query (key conditions, filters, pagination, ScanIndexForward, Limit,
   ExclusiveStartKey, projections, the size limit) runs unchanged: only the list `all_items()`
   returns *inside a Query* changes. test/integration/local/moto-query.property.test.ts compares the
   answers of a server started with `--plain-query` (moto as it is) against this one's over random
   tables, items and queries.

3. DynamoDB item values leave as they are stored. moto 5.2's response serializer walks every
   attribute value through the AttributeValue shape's ten members, looking each up under several
   aliases; in the rehearsal that was most of moto's time (a profile of three scenarios: ~100 of
   ~160 CPU seconds). moto stores item values in DynamoDB's JSON wire form already (`{"S": ...}`,
   `{"N": ...}`, `{"M": {...}}`, ...), which is exactly what that walk produces for them, so a value
   made only of S, N, BOOL, NULL, SS, NS, M and L is written out as it is; anything else (binary
   values, which the serializer base64-encodes) takes moto's own path.
   test/integration/local/moto-query.property.test.ts compares the raw response bodies of both
   servers for items read back by GetItem, Query, Scan, BatchGetItem and the ReturnValues options.

4. Look-ups that cannot change are made once. For every request moto_server lists its own package
   directory and stats each of its ~170 entries (`backends.list_of_moto_modules`, to see whether the
   host names a backend), and walks the response class with `inspect.getmembers` to see whether the
   action is one of its methods. Neither answer changes while the server runs; together they were
   ~15% of moto's CPU time in a profile of three rehearsal scenarios. The same tuple of backend names
   and the same method names per class are handed out instead.

5. Stopping skips the interpreter's clean-up. moto_server exits on SIGTERM and SIGINT through
   sys.exit, after which Python tears down every module and object it loaded: ~0.4 CPU-s and ~0.45 s
   of wall time for an emulator that had served DynamoDB, CloudFormation and SNS (measured against
   SIGKILL, three runs each), paid by every emulator at the end of every test run and `npm start`.
   An emulator keeps nothing that outlives it (its state is in memory, its output is discarded), so
   the signal ends the process at once with `os._exit(0)`, after flushing stdout and stderr. With
   KIRO_MOTO_PROFILE set it still exits through sys.exit, which writes the profile.
   test/integration/local/moto-server.test.ts checks that an atexit handler no longer runs.

test/integration/local/moto-query.property.test.ts compares this server's answers with moto's own
(`--plain-query`) and checks that change 4 still applies to the installed moto.

Usage: python3 moto-launcher.py [--plain-query] <moto_server arguments>
(`--plain-query` leaves out changes 2 to 4: moto as it is, one request at a time.)

Measuring: KIRO_MOTO_PROFILE=<file> writes a cProfile of the whole server (wall-clock time, so waits
show as well as CPU) to <file> when it stops; KIRO_MOTO_SKIP=dispatch leaves out change 4, to
measure it against moto's own behaviour back to back on the same machine.
"""

import inspect
import os
import sys
import threading

import moto.server as server


def _serve_one_request_at_a_time() -> None:
    run_simple = server.run_simple

    def serial_run_simple(*args, **kwargs):
        return run_simple(*args, **{**kwargs, "threaded": False})

    server.run_simple = serial_run_simple


def _query_without_sorting_the_table() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items
    query_signature = inspect.signature(original_query)
    # The table whose query is running on this thread, and what all_items() should give it.
    running = threading.local()

    def query(self, *args, **kwargs):
        bound = query_signature.bind(self, *args, **kwargs)
        hash_key = bound.arguments.get("hash_key")
        index_name = bound.arguments.get("index_name")
        if index_name:
            scope = "index"
        elif isinstance(hash_key, DynamoType):
            scope = "partition"
        else:
            # No hash key value: leave moto to answer (or fail) exactly as it does.
            return original_query(self, *args, **kwargs)
        outer = getattr(running, "query", None)
        running.query = (self, scope, hash_key)
        try:
            return original_query(self, *args, **kwargs)
        finally:
            running.query = outer

    def all_items(self):
        current = getattr(running, "query", None)
        if current is None or current[0] is not self:
            return original_all_items(self)
        _, scope, hash_key = current
        if scope == "partition":
            # .get, not [..]: Table.items is a defaultdict, and a read must not add a partition.
            partition = self.items.get(hash_key)
            if partition is None:
                return []
            return list(partition.values()) if self.range_key_attr else [partition]
        items = []
        for partition in self.items.values():
            if self.range_key_attr:
                items.extend(partition.values())
            else:
                items.append(partition)
        return items

    Table.query = query
    Table.all_items = all_items


def _cache_dispatch_lookups() -> None:
    """Two look-ups moto_server repeats for every request, whose answers cannot change while it runs."""
    import moto.backends as backends
    import moto.core.responses as responses
    from moto.core.utils import method_names_from_class

    # The backend packages of the installed moto: a directory listing plus a stat of every entry
    # (~200) for each request, often twice (DomainDispatcherApplication.get_backend_for_host).
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: iter(modules)

    # The action methods of a response class (inspect.getmembers over the whole class) in call_action.
    names_by_class: dict = {}

    def cached_method_names(clazz):
        names = names_by_class.get(clazz)
        if names is None:
            names = names_by_class[clazz] = method_names_from_class(clazz)
        return list(names)

    responses.method_names_from_class = cached_method_names


_WIRE_LEAF_TYPES = {"S": str, "N": str, "BOOL": bool}


def _is_wire_attribute_value(value) -> bool:
    """True for an attribute value in DynamoDB's wire form that the serializer would copy as it is."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    ((kind, inner),) = value.items()
    if kind in _WIRE_LEAF_TYPES:
        return isinstance(inner, _WIRE_LEAF_TYPES[kind])
    if kind == "NULL":
        return inner is True
    if kind in ("SS", "NS"):
        return isinstance(inner, list) and all(isinstance(member, str) for member in inner)
    if kind == "M":
        return isinstance(inner, dict) and all(isinstance(name, str) and _is_wire_attribute_value(member) for name, member in inner.items())
    if kind == "L":
        return isinstance(inner, list) and all(_is_wire_attribute_value(member) for member in inner)
    return False


def _serialize_attribute_values_as_stored() -> None:
    from moto.core.serialize import BaseJSONSerializer

    original = BaseJSONSerializer._serialize_type_structure

    def serialize_structure(self, serialized, value, shape, key):
        if (
            key
            and shape.name == "AttributeValue"
            and {"S", "N", "M", "L", "NULL", "BOOL"} <= set(shape.members)
            and self.operation_model.service_model.service_name in ("dynamodb", "dynamodbstreams")
            and _is_wire_attribute_value(value)
        ):
            self._default_serialize(serialized, value, shape, key)
            return
        original(self, serialized, value, shape, key)

    BaseJSONSerializer._serialize_type_structure = serialize_structure


def _exit_at_once_when_stopped() -> None:
    """moto_server's SIGTERM and SIGINT handler (looked up when server.main installs it), without the
    interpreter's clean-up: nothing an emulator holds needs it (docstring, change 5)."""

    def exit_at_once(signum, frame):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

    server.signal_handler = exit_at_once


def _profile_into(path: str) -> None:
    """Profiles the whole server (one thread: requests are served one by one) and writes the cProfile
    statistics to `path` when the server exits (moto_server's SIGTERM handler exits through sys.exit)."""
    import atexit
    import cProfile

    profiler = cProfile.Profile()

    def dump():
        profiler.disable()
        profiler.dump_stats(path)

    atexit.register(dump)
    profiler.enable()


def main(argv: list) -> None:
    plain_query = "--plain-query" in argv
    moto_arguments = [argument for argument in argv if argument != "--plain-query"]
    _serve_one_request_at_a_time()
    if not plain_query:
        skip = os.environ.get("KIRO_MOTO_SKIP", "").split(",")
        _query_without_sorting_the_table()
        _serialize_attribute_values_as_stored()
        if "dispatch" not in skip:
            _cache_dispatch_lookups()
    profile = os.environ.get("KIRO_MOTO_PROFILE")
    if profile:
        _profile_into(profile)
    else:
        _exit_at_once_when_stopped()
    server.main(moto_arguments)


if __name__ == "__main__":
    main(sys.argv[1:])
