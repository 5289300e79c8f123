"""The 表样 (standard forms) as data files, and the code that reads them and binds reports to them."""
