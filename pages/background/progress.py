"""Progress of a running job, visible to the editor while the job's own transaction is open.

A runner writes everything in one transaction (nothing half-done on failure), so progress
written on the same connection would only show at the end. On PostgreSQL it is written on a
second connection of its own, in autocommit; SQLite allows one writer at a time (the import
holds the lock), so there the page shows "running" and then the result."""

from django.db import connection, connections

from .models import Job


class Progress:
    def __init__(self, job_id):
        self.job_id = job_id
        self.side = None
        self.done = self.total = 0  # the last progress, written when the job ends

    def __call__(self, done: int, total: int, message: str = "") -> None:
        self.done, self.total = done, total
        fields = {"done": done, "total": total, "message": message[:255]}
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job_id).update(**fields)
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection(connection.alias)
            table = Job._meta.db_table
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET done = %s, total = %s, message = %s WHERE id = %s",  # noqa: S608
                    [done, total, fields["message"], self.job_id],
                )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None
