# The Audit dock: the integrity audit on its own connection and thread, findings grouped, report export.
target_sources(eventscope_ui PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/auditpanel.cpp ${CMAKE_CURRENT_LIST_DIR}/auditpanel.h
)
