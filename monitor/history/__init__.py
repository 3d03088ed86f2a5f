"""The history stage: a small table format of Parquet files with commit markers.

- :mod:`~monitor.history.store`: write an invocation's parts, commit them, read committed rows
- :mod:`~monitor.history.names`: file names derived from invocation ids, the parts of an invocation
- :mod:`~monitor.history.integrity`: checksums and schema checks of every file read
- :mod:`~monitor.history.versions`: node and exposure versions, independent of arrival order
- :mod:`~monitor.history.compact`: compaction and retention; :mod:`~monitor.history.verify`
- :mod:`~monitor.history.storage`: a local folder, or object storage

Delta Lake or Iceberg instead? Not measured yet (neither package is installed
here). What the format needs that they would have to give: a commit per part
of an invocation created only if absent (Delta's log gives optimistic
commits; on S3 it needs a locking provider or conditional PUTs), checksums
verified on read (neither verifies file contents on read by default), and
files that plain ``read_parquet('…/*/*.parquet')`` in DuckDB or Spark reads as
they are (both need their readers for correct results: a plain glob would
also read files a Delta log has removed). The comparison the style guide asks
for (ingest latency, four writers on moto S3, ``check`` at 2.2 M rows,
damaged files) is still to do.
"""
