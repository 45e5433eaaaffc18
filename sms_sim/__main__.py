import time

started_at = time.monotonic()  # before the imports: the run's real time

if __name__ == "__main__":
    try:
        from sms_sim.cli import main
    except KeyboardInterrupt:  # Ctrl-C before the run could install its
        raise SystemExit(130)  # own handler: nothing ran, say nothing
    raise SystemExit(main(started_at=started_at))
