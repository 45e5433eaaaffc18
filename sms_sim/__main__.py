import time

started_at = time.monotonic()  # before the imports: the run's real time

if __name__ == "__main__":
    try:
        from sms_sim.cli import main
        status = main(started_at=started_at)
    except KeyboardInterrupt:  # Ctrl-C while the run's own handler is not
        status = 130  # installed (before the run, or after it): say nothing
    raise SystemExit(status)
