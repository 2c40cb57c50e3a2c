"""Reading and writing the spreadsheets users exchange with bangfu (the household registry's,
the department feeds'): columns, cell parsing with row-column-reason errors, and the files
(.xlsx and .csv in UTF-8, GBK or GB18030). Shared by every app that imports or exports."""
