"""A Jenkins-compatible HTTP server for tests, benchmarks and `triage demo`.

Standard library only, faithful to /work/shared/reference/jenkins-api.md (section numbers in
comments refer to it). Typical use::

    from triage.jenkins.server import JenkinsServer, demo_world
    with JenkinsServer(world=demo_world(seed=1), context_path="/jenkins") as srv:
        srv.url, srv.users, srv.world, srv.faults, srv.requests

Build your own world with `World().pipeline(...)`, `.folder(...)`, `.multibranch(...).branch(...)`,
`job.add_build(...)`, `build.add_input(...)`, reports from `Report`/`Suite`/`Case`.
"""

from triage.jenkins.server.actions import BuildData, Cause
from triage.jenkins.server.builds import Build
from triage.jenkins.server.demo import bench_world, demo_world, inbox_world
from triage.jenkins.server.faults import Fault, Faults
from triage.jenkins.server.inputs import Decision, InputExecution, InputStep, Param, input_id
from triage.jenkins.server.jobs import Folder, MultiBranch, PipelineJob, name_encode
from triage.jenkins.server.reports import Case, Failure, Report, Suite, suite_xml
from triage.jenkins.server.security import User
from triage.jenkins.server.server import JenkinsServer
from triage.jenkins.server.world import World

__all__ = [
    "Build", "BuildData", "Case", "Cause", "Decision", "Failure", "Fault", "Faults", "Folder", "InputExecution",
    "InputStep", "JenkinsServer", "MultiBranch", "Param", "PipelineJob", "Report", "Suite", "User",
    "World", "bench_world", "demo_world", "inbox_world", "input_id", "name_encode", "suite_xml",
]
