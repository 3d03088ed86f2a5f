from tests.threads import threads_frames, threads_history

__all__ = ["threads_frames", "threads_history"]
