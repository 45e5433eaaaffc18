import time

started_at = time.monotonic()  # before the imports: the run's real time

if __name__ == "__main__":
    from sms_sim.cli import main

    raise SystemExit(main(started_at=started_at))
