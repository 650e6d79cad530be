# The Live pane: chart (QtCharts, confined to livechartwidget), tail, diagnostics.
find_package(Qt6 REQUIRED COMPONENTS Charts)
target_sources(eventscope_ui PRIVATE livechartwidget.cpp livechartwidget.h livetailwidget.cpp livetailwidget.h
                                     livepanel.cpp livepanel.h)
target_link_libraries(eventscope_ui PUBLIC Qt6::Charts)
