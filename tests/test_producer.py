import queue
import random
import threading

from sms_sim.producer import Batch, Inbox, produce, put_unless_stopped


def drain(inbox: Inbox) -> list[Batch | None]:
    items: list[Batch | None] = []
    while True:
        try:
            items.append(inbox.get_nowait())
        except queue.Empty:
            return items


def test_fills_batches_in_order_then_one_none_per_sender() -> None:
    inbox: Inbox = queue.Queue()
    produce(inbox, threading.Event(), random.Random(1), 10, 4, 3)
    items = drain(inbox)
    batches = [item for item in items if item is not None]
    assert all(item is None for item in items[3:])
    assert [len(b) for b in batches] == [4, 4, 2]
    assert [m.id for b in batches for m in b] == list(range(10))
    assert items[3:] == [None, None, None]


def test_messages_do_not_depend_on_batch_size() -> None:
    def ids_and_texts(batch_size: int) -> list[tuple[int, str]]:
        inbox: Inbox = queue.Queue()
        produce(inbox, threading.Event(), random.Random(5), 600,
                batch_size, 1)
        return [(m.id, m.text) for b in drain(inbox) if b for m in b]

    assert ids_and_texts(1) == ids_and_texts(128)


def test_blocks_on_a_full_inbox_and_streams() -> None:
    inbox: Inbox = queue.Queue(maxsize=2)
    stop = threading.Event()
    producer = threading.Thread(
        target=produce, args=(inbox, stop, random.Random(1), 1000, 1, 1))
    producer.start()
    taken = [inbox.get(timeout=5) for _ in range(5)]
    assert [b[0].id for b in taken if b] == [0, 1, 2, 3, 4]
    assert producer.is_alive()  # never more than 2 messages ahead
    stop.set()
    producer.join(timeout=5)
    assert not producer.is_alive()


def test_put_unless_stopped_gives_up_on_a_full_inbox_once_stopped() -> None:
    inbox: Inbox = queue.Queue(maxsize=1)
    inbox.put(None)
    stop = threading.Event()
    outcome: list[bool] = []
    putter = threading.Thread(target=lambda: outcome.append(
        put_unless_stopped(inbox, None, stop, poll_s=0.01)))
    putter.start()
    stop.set()
    putter.join(timeout=5)
    assert outcome == [False]


def test_once_stopped_idle_senders_are_released_without_blocking() -> None:
    inbox: Inbox = queue.Queue(maxsize=5)
    stop = threading.Event()
    stop.set()
    produce(inbox, stop, random.Random(1), 100, 1, 3)
    assert drain(inbox) == [None, None, None]
    full: Inbox = queue.Queue(maxsize=2)
    produce(full, stop, random.Random(1), 100, 1, 3)  # must not block
    assert drain(full) == [None, None]
