// SPDX-License-Identifier: GPL-2.0

//! Lookup through software nodes: `pwms` references with `pwm-names`, as a
//! board without device tree or ACPI describes its consumers.
//!
//! C header: [`include/linux/property.h`](srctree/include/linux/property.h)

use kernel::prelude::*;

#[kunit_tests(pwm_swnode)]
mod tests {
    use crate::test_chip::{
        Kind,
        Lookup,
        TestChip,
        TestDevice, //
    };
    use core::{
        mem::size_of,
        ptr,
        sync::atomic::{
            AtomicU32,
            Ordering, //
        },
    };
    use kernel::{
        bindings::{
            self,
            property_entry,
            software_node,
            software_node_ref_args, //
        },
        error::{
            from_err_ptr,
            to_result, //
        },
        ffi::c_char,
        prelude::*,
        str::CString,
    };

    /// The software nodes of a provider and a consumer with two PWMs:
    /// "backlight" (channel 1, 30000 ns, inverted) and "fan" (channel 0, 40000 ns).
    ///
    /// Every pointer in it points into the same heap block, which stays in
    /// place until the nodes are unregistered.
    struct Nodes {
        provider_props: [property_entry; 2],
        consumer_props: [property_entry; 3],
        refs: [software_node_ref_args; 2],
        names: [*const c_char; 2],
        provider: software_node,
        consumer: software_node,
    }

    fn u32_prop(name: &'static CStr, value: u32) -> property_entry {
        // SAFETY: All-zero is a valid `property_entry`.
        let mut p: property_entry = unsafe { core::mem::zeroed() };
        p.name = name.as_char_ptr();
        p.length = size_of::<u32>();
        p.is_inline = true;
        p.type_ = bindings::dev_prop_type_DEV_PROP_U32;
        // SAFETY: Writing the inline value's `u32` member.
        unsafe { p.__bindgen_anon_1.value.u32_data[0] = value };
        p
    }

    fn array_prop<T>(
        name: &'static CStr,
        kind: bindings::dev_prop_type,
        items: *const T,
        n: usize,
    ) -> property_entry {
        // SAFETY: All-zero is a valid `property_entry`.
        let mut p: property_entry = unsafe { core::mem::zeroed() };
        p.name = name.as_char_ptr();
        p.length = n * size_of::<T>();
        p.type_ = kind;
        p.__bindgen_anon_1.pointer = items.cast();
        p
    }

    fn reference(
        node: *const software_node,
        index: u64,
        period: u64,
        flags: u64,
    ) -> software_node_ref_args {
        let mut r = software_node_ref_args {
            swnode: node,
            fwnode: ptr::null_mut(),
            nargs: 3,
            args: [0; 16],
        };
        r.args[..3].copy_from_slice(&[index, period, flags]);
        r
    }

    /// Registered nodes, attached to the provider's and the consumer's devices.
    ///
    /// # Invariants
    ///
    /// `nodes` is registered and attached to both devices until `drop`.
    struct Described<'a> {
        nodes: KBox<Nodes>,
        // Kept until the nodes are unregistered: the nodes point to them.
        _names: (CString, CString),
        provider: &'a TestDevice,
        consumer: &'a TestDevice,
    }

    impl<'a> Described<'a> {
        fn new(
            provider: &'a TestDevice,
            consumer: &'a TestDevice,
            with_pwms: bool,
        ) -> Result<Self> {
            // SAFETY: All-zero is a valid `Nodes` (NULL pointers, empty entries).
            let mut nodes = KBox::new(unsafe { core::mem::zeroed::<Nodes>() }, GFP_KERNEL)?;
            // A removed node's sysfs entry may linger (DEBUG_KOBJECT_RELEASE
            // delays its cleanup), so every registration gets new names.
            static SERIAL: AtomicU32 = AtomicU32::new(0);
            let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
            let names = (
                CString::try_from_fmt(fmt!("pwm-kunit-provider-node-{serial}"))?,
                CString::try_from_fmt(fmt!("pwm-kunit-consumer-node-{serial}"))?,
            );
            let n = &mut *nodes;
            n.provider.name = names.0.as_char_ptr();
            n.consumer.name = names.1.as_char_ptr();
            n.provider_props[0] = u32_prop(c"#pwm-cells", 3);
            n.refs[0] = reference(&n.provider, 1, 30000, 1);
            n.refs[1] = reference(&n.provider, 0, 40000, 0);
            n.names = [c"backlight".as_char_ptr(), c"fan".as_char_ptr()];
            n.consumer_props[0] = array_prop(
                c"pwm-names",
                bindings::dev_prop_type_DEV_PROP_STRING,
                n.names.as_ptr(),
                2,
            );
            if with_pwms {
                n.consumer_props[1] = array_prop(
                    c"pwms",
                    bindings::dev_prop_type_DEV_PROP_REF,
                    n.refs.as_ptr(),
                    2,
                );
            }
            n.provider.properties = n.provider_props.as_ptr();
            n.consumer.properties = n.consumer_props.as_ptr();

            // SAFETY: The nodes and everything they point to live in `nodes` until `drop`
            // detaches them; both devices are live.
            unsafe {
                to_result(bindings::device_add_software_node(
                    provider.dev(),
                    &n.provider,
                ))?;
                if let Err(e) = to_result(bindings::device_add_software_node(
                    consumer.dev(),
                    &n.consumer,
                )) {
                    bindings::device_remove_software_node(provider.dev());
                    return Err(e);
                }
            }
            // INVARIANT: Both nodes are registered and attached.
            Ok(Self {
                nodes,
                _names: names,
                provider,
                consumer,
            })
        }
    }

    impl Drop for Described<'_> {
        fn drop(&mut self) {
            // SAFETY: By the type invariant both nodes are attached; this unregisters them
            // before `nodes` is freed.
            unsafe {
                bindings::device_remove_software_node(self.consumer.dev());
                bindings::device_remove_software_node(self.provider.dev());
            }
        }
    }

    fn get(consumer: &TestDevice, con_id: Option<&CStr>) -> Result<*mut bindings::pwm_device> {
        let con_id = con_id.map_or(ptr::null(), |c| c.as_char_ptr());
        // SAFETY: `consumer` is live; `con_id` is NULL or static.
        from_err_ptr(unsafe { bindings::pwm_get(consumer.dev(), con_id) })
    }

    fn put(pwm: *mut bindings::pwm_device) {
        // SAFETY: Callers pass a channel they requested and do not use afterwards.
        unsafe { bindings::pwm_put(pwm) };
    }

    #[test]
    fn reference_by_name_gives_channel_period_and_polarity() -> Result {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let _nodes = Described::new(&provider, &consumer, true)?;
        let chip = TestChip::new(&provider, 2, Kind::Legacy, false)?;

        let fan = get(&consumer, Some(c"fan"))?;
        let backlight = get(&consumer, Some(c"backlight"))?;
        // SAFETY: Both are requested until put below.
        let (fan_args, bl_args, bl_label) = unsafe {
            (
                (*fan).args,
                (*backlight).args,
                CStr::from_char_ptr((*backlight).label),
            )
        };
        let (fan_ok, bl_ok) = (ptr::eq(fan, chip.pwm(0)), ptr::eq(backlight, chip.pwm(1)));
        put(fan);
        put(backlight);
        check!(fan_ok && bl_ok);
        check_eq!(fan_args.period, 40000);
        check_eq!(
            fan_args.polarity,
            bindings::pwm_polarity_PWM_POLARITY_NORMAL
        );
        check_eq!(bl_args.period, 30000);
        check_eq!(
            bl_args.polarity,
            bindings::pwm_polarity_PWM_POLARITY_INVERSED
        );
        check_eq!(bl_label.to_bytes(), b"backlight");
        Ok(())
    }

    #[test]
    fn no_name_takes_the_first_reference() -> Result {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let _nodes = Described::new(&provider, &consumer, true)?;
        let chip = TestChip::new(&provider, 2, Kind::Legacy, false)?;
        let pwm = get(&consumer, None)?;
        let first = ptr::eq(pwm, chip.pwm(1));
        put(pwm);
        check!(first);
        Ok(())
    }

    #[test]
    fn unknown_name_fails_and_requests_nothing() -> Result {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let _nodes = Described::new(&provider, &consumer, true)?;
        let chip = TestChip::new(&provider, 2, Kind::Legacy, false)?;
        check!(get(&consumer, Some(c"heater")).is_err());
        check_eq!(chip.hw().calls.request.load(Ordering::Relaxed), 0);
        Ok(())
    }

    #[test]
    fn unregistered_provider_defers() -> Result {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let _nodes = Described::new(&provider, &consumer, true)?;
        check_eq!(get(&consumer, Some(c"fan")).err(), Some(EPROBE_DEFER));
        Ok(())
    }

    #[test]
    fn node_without_pwms_falls_back_to_lookup_tables() -> Result {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let _nodes = Described::new(&provider, &consumer, false)?;
        let chip = TestChip::new(&provider, 2, Kind::Legacy, false)?;
        let _lookup = Lookup::add(c"pwm-kunit-provider", 1, None, Some(c"fan"), 0)?;
        let pwm = get(&consumer, Some(c"fan"))?;
        let from_table = ptr::eq(pwm, chip.pwm(1));
        put(pwm);
        check!(from_table);
        Ok(())
    }

    #[test]
    fn devm_fwnode_get_is_released_with_the_consumer() -> Result {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let nodes = Described::new(&provider, &consumer, true)?;
        let chip = TestChip::new(&provider, 2, Kind::Legacy, false)?;
        // SAFETY: `consumer` is live; the group is released below.
        let group = unsafe {
            bindings::devres_open_group(consumer.dev(), ptr::null_mut(), bindings::GFP_KERNEL)
        };
        check!(!group.is_null());
        // SAFETY: The consumer node is registered; its fwnode is live.
        let fwnode = unsafe { bindings::software_node_fwnode(&nodes.nodes.consumer) };
        // SAFETY: `consumer` and `fwnode` are live; the name is static.
        let pwm = from_err_ptr(unsafe {
            bindings::devm_fwnode_pwm_get(consumer.dev(), fwnode, c"fan".as_char_ptr())
        });
        // SAFETY: Releasing the group puts the channel.
        unsafe { bindings::devres_release_group(consumer.dev(), group) };
        let pwm = pwm?;
        check!(ptr::eq(pwm, chip.pwm(0)));
        let hw = chip.hw();
        check_eq!(hw.calls.free.load(Ordering::Relaxed), 1);
        Ok(())
    }
}
