package io.bpf4j.internal.sys;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.*;

/** Offsets summed member by member are the offsets the FFM API resolves by layout path. */
class LayoutsTest {
    @Test
    void everyNamedMemberOfEveryLayoutHasTheFfmOffset() throws Exception {
        int checked = 0;
        for (Class<?> c : Layouts.class.getDeclaredClasses()) {
            Field f;
            try {
                f = c.getField("LAYOUT");
            } catch (NoSuchFieldException e) {
                continue;
            }
            if (!Modifier.isStatic(f.getModifiers()) || !(f.get(null) instanceof StructLayout l)) continue;
            for (MemoryLayout m : l.memberLayouts()) {
                if (m.name().isEmpty()) continue;
                String name = m.name().get();
                assertEquals(l.byteOffset(groupElement(name)), Layouts.off(l, name), c.getSimpleName() + "." + name);
                checked++;
            }
        }
        assertTrue(checked > 100, "checked " + checked + " members");
        assertThrows(IllegalArgumentException.class, () -> Layouts.off(Layouts.GetId.LAYOUT, "no_such_member"));
    }
}
