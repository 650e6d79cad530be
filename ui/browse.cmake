# Streams, events, the main window.
target_sources(eventscope_ui PRIVATE mainwindow.cpp mainwindow.h)
target_sources(eventscope_ui PRIVATE windowmanager.cpp windowmanager.h)
target_sources(eventscope_ui PRIVATE uniformtableview.cpp uniformtableview.h)
