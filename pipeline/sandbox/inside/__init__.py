"""What runs inside the sandbox: the warm runner, the child set-up, the trusted test process.

Standard library only: the interpreter inside sees nothing of the host's packages path. The
supervisor imports :mod:`.frames` (and :func:`.process.kill_uid`) from here, so that both ends
share one definition of the control frames.
"""
